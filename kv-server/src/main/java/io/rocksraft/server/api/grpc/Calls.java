package io.rocksraft.server.api.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one unary call: bounded by its deadline (or the node's request timeout), errors mapped. */
final class Calls {
  private static final Logger LOG = LoggerFactory.getLogger(Calls.class);
  private final long defaultTimeoutMs;

  Calls(long defaultTimeoutMs) {
    this.defaultTimeoutMs = defaultTimeoutMs;
  }

  <T> void unary(StreamObserver<T> out, Supplier<CompletableFuture<T>> call) {
    unary(out, defaultTimeoutMs, call);
  }

  /** A call that may take up to {@code maxTimeoutMs} (membership changes), or the client's deadline if shorter. */
  <T> void unary(StreamObserver<T> out, long maxTimeoutMs, Supplier<CompletableFuture<T>> call) {
    Deadline deadline = Context.current().getDeadline();
    long timeoutMs = deadline == null ? maxTimeoutMs
        : Math.min(maxTimeoutMs, Math.max(0, deadline.timeRemaining(TimeUnit.MILLISECONDS)));
    boolean clientDeadline = deadline != null && timeoutMs < maxTimeoutMs;
    CompletableFuture<T> f;
    try {
      if (Context.current().isCancelled()) {
        out.onError(Status.CANCELLED.withDescription("call cancelled before it started").asRuntimeException());
        return;
      }
      f = call.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((value, error) -> {
      if (error == null) {
        out.onNext(value);
        out.onCompleted();
      } else {
        out.onError(toStatus(error, clientDeadline, timeoutMs).asRuntimeException());
      }
    });
  }

  static Status toStatus(Throwable error, boolean clientDeadline, long timeoutMs) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
    if (cause instanceof TimeoutException) {
      return clientDeadline
          ? Status.DEADLINE_EXCEEDED.withDescription("deadline of " + timeoutMs + " ms exceeded")
          : Status.UNAVAILABLE.withDescription("no answer within " + timeoutMs
              + " ms (requestTimeoutMs): the group may have no quorum; a write may still commit");
    }
    KvException e = KvException.from(cause);
    if (e.kind() == ErrorKind.INTERNAL) {
      LOG.error("internal error", e);
    }
    return Status.fromCode(e.kind().grpcCode()).withDescription(e.getMessage());
  }
}
