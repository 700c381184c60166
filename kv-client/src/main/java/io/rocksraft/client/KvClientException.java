package io.rocksraft.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Every failure the client reports; the subclasses tell what to do about it. */
public class KvClientException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Status.Code code;

  public KvClientException(Status.Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** The gRPC status code the server (or the transport) answered. */
  public Status.Code code() {
    return code;
  }

  /** The request is wrong and retrying it cannot help (empty or oversized key, bad range...). */
  public static final class InvalidArgument extends KvClientException {
    private static final long serialVersionUID = 1L;

    InvalidArgument(String message, Throwable cause) {
      super(Status.Code.INVALID_ARGUMENT, message, cause);
    }
  }

  /** No quorum or no reachable node within the deadline; a write's outcome is unknown. */
  public static final class Unavailable extends KvClientException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message, Throwable cause) {
      super(Status.Code.UNAVAILABLE, message, cause);
    }
  }

  /** The call's deadline passed; a write's outcome is unknown. */
  public static final class DeadlineExceeded extends KvClientException {
    private static final long serialVersionUID = 1L;

    DeadlineExceeded(String message, Throwable cause) {
      super(Status.Code.DEADLINE_EXCEEDED, message, cause);
    }
  }

  /** The nodes stayed overloaded until the deadline. */
  public static final class Overloaded extends KvClientException {
    private static final long serialVersionUID = 1L;

    Overloaded(String message, Throwable cause) {
      super(Status.Code.RESOURCE_EXHAUSTED, message, cause);
    }
  }

  /** The cluster wants credentials (a bearer token or a client certificate) and got none it knows. */
  public static final class Unauthenticated extends KvClientException {
    private static final long serialVersionUID = 1L;

    Unauthenticated(String message, Throwable cause) {
      super(Status.Code.UNAUTHENTICATED, message, cause);
    }
  }

  /** The caller is known, but none of its roles grants this request. */
  public static final class PermissionDenied extends KvClientException {
    private static final long serialVersionUID = 1L;

    PermissionDenied(String message, Throwable cause) {
      super(Status.Code.PERMISSION_DENIED, message, cause);
    }
  }

  /** A precondition failed (for example an exactly-once session that expired). */
  public static final class FailedPrecondition extends KvClientException {
    private static final long serialVersionUID = 1L;

    FailedPrecondition(String message, Throwable cause) {
      super(Status.Code.FAILED_PRECONDITION, message, cause);
    }
  }

  /** A watch asked for revisions the node no longer keeps: read the state and watch from its revision. */
  public static final class Compacted extends KvClientException {
    private static final long serialVersionUID = 1L;
    private final long compactRevision;

    Compacted(String message, long compactRevision, Throwable cause) {
      super(Status.Code.OUT_OF_RANGE, message, cause);
      this.compactRevision = compactRevision;
    }

    /** The oldest revision the node still keeps (0 when it did not say). */
    public long compactRevision() {
      return compactRevision;
    }
  }

  static KvClientException from(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof KvClientException k) {
      return k;
    }
    Status status = Status.fromThrowable(c);
    String message = status.getDescription() != null ? status.getDescription() : String.valueOf(c.getMessage());
    return switch (status.getCode()) {
      case INVALID_ARGUMENT -> new InvalidArgument(message, c);
      case UNAVAILABLE -> new Unavailable(message, c);
      case DEADLINE_EXCEEDED -> new DeadlineExceeded(message, c);
      case RESOURCE_EXHAUSTED -> new Overloaded(message, c);
      case FAILED_PRECONDITION -> new FailedPrecondition(message, c);
      case UNAUTHENTICATED -> new Unauthenticated(message, c);
      case PERMISSION_DENIED -> new PermissionDenied(message, c);
      case OUT_OF_RANGE -> new Compacted(message, 0, c);
      default -> new KvClientException(status.getCode(), status.getCode() + ": " + message, c);
    };
  }

  static boolean retryable(Throwable t) {
    Status.Code code = t instanceof StatusRuntimeException s ? s.getStatus().getCode() : Status.fromThrowable(t).getCode();
    return code == Status.Code.UNAVAILABLE || code == Status.Code.RESOURCE_EXHAUSTED;
  }
}
