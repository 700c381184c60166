package io.rocksraft.client;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.rocksraft.api.v1.WatchRequest;
import io.rocksraft.api.v1.WatchResponse;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A running watch. When its node fails or shuts down it resumes on the next endpoint from the
 * revision after the last one it delivered, so the listener sees every event once, in order,
 * across node and leader changes. Close it to stop.
 */
public final class Watch implements AutoCloseable {
  private final List<Endpoint> endpoints;
  private final ScheduledExecutorService scheduler;
  private final WatchRequest request;
  private final WatchListener listener;
  private final Object lock = new Object();
  /** The next revision to ask for; 0 until the first answer says where the watch starts. */
  private volatile long next;
  private Context.CancellableContext call;
  private int failures;
  private int endpointIndex;
  private boolean closed;

  Watch(List<Endpoint> endpoints, ScheduledExecutorService scheduler, WatchRequest request, WatchListener listener) {
    this.endpoints = endpoints;
    this.scheduler = scheduler;
    this.request = request;
    this.listener = listener;
    this.next = request.getStartRevision();
    // The first endpoint first: a caller that lists its nearest node first watches there.
  }

  /** The revision the watch would resume from: every event before it was delivered. */
  public long nextRevision() {
    return next;
  }

  void start() {
    Endpoint endpoint;
    Context.CancellableContext context;
    synchronized (lock) {
      if (closed) {
        return;
      }
      endpoint = endpoints.get(Math.floorMod(endpointIndex, endpoints.size()));
      context = Context.current().withCancellation();
      call = context;
    }
    WatchRequest req = request.toBuilder().setStartRevision(next).build();
    context.run(() -> endpoint.watch.watch(req, new Observer(context)));
  }

  private final class Observer implements StreamObserver<WatchResponse> {
    private final Context.CancellableContext context;
    private long compactRevision;

    Observer(Context.CancellableContext context) {
      this.context = context;
    }

    @Override
    public void onNext(WatchResponse r) {
      synchronized (lock) {
        failures = 0;
      }
      if (r.getCompactRevision() > 0) {
        compactRevision = r.getCompactRevision();
      }
      long revision = r.getHeader().getRevision();
      if (!r.getEventsList().isEmpty()) {
        listener.onEvents(revision, r.getEventsList());
      }
      if (revision + 1 > next) {
        next = revision + 1;
      }
    }

    @Override
    public void onError(Throwable t) {
      Status.Code code = Status.fromThrowable(t).getCode();
      // Node trouble is resumed elsewhere; an answer about the request itself ends the watch.
      boolean fatal = code != Status.Code.UNAVAILABLE && code != Status.Code.CANCELLED
          && code != Status.Code.DEADLINE_EXCEEDED && code != Status.Code.RESOURCE_EXHAUSTED
          && code != Status.Code.UNKNOWN && code != Status.Code.INTERNAL;
      synchronized (lock) {
        if (closed || context != call) {
          return;
        }
        closed = fatal;
      }
      if (fatal) {
        KvClientException e = KvClientException.from(t);
        if (e instanceof KvClientException.Compacted) {
          e = new KvClientException.Compacted(e.getMessage(), compactRevision, t);
        }
        listener.onError(e);
        return;
      }
      resume();
    }

    @Override
    public void onCompleted() {
      resume();
    }
  }

  /** On the next endpoint, after a backoff that grows with consecutive failures. */
  private void resume() {
    long delayMs;
    synchronized (lock) {
      if (closed) {
        return;
      }
      endpointIndex++;
      delayMs = KvClient.backoffMs(++failures);
    }
    scheduler.schedule(this::start, delayMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    Context.CancellableContext c;
    synchronized (lock) {
      closed = true;
      c = call;
    }
    if (c != null) {
      c.cancel(null);
    }
  }
}
