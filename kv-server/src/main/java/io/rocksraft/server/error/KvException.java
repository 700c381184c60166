package io.rocksraft.server.error;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** A failure with a kind every API knows how to answer, and a message for the user. */
public final class KvException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ErrorKind kind;

  public KvException(ErrorKind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public KvException(ErrorKind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public ErrorKind kind() {
    return kind;
  }

  public static KvException invalid(String message) {
    return new KvException(ErrorKind.INVALID_ARGUMENT, message);
  }

  /** The failure inside completion wrappers, as a KvException (INTERNAL when it is none). */
  public static KvException from(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof KvException k) {
      return k;
    }
    return new KvException(ErrorKind.INTERNAL, "internal error: " + c, c);
  }
}
