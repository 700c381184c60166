package io.rocksraft.server.api.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.rocksraft.api.v1.ResponseHeader;
import io.rocksraft.api.v1.WatchGrpc;
import io.rocksraft.api.v1.WatchRequest;
import io.rocksraft.api.v1.WatchResponse;
import io.rocksraft.server.api.Watches;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.state.History;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code kv.v1.Watch}: each stream drains its cursor whenever a revision is applied and the
 * client can take more (gRPC flow control), on a shared executor, never on the apply thread.
 */
public final class WatchService extends WatchGrpc.WatchImplBase {
  private final Watches watches;
  private final Executor executor;
  private final String memberId;

  public WatchService(Watches watches, Executor executor, String memberId) {
    this.watches = watches;
    this.executor = executor;
    this.memberId = memberId;
  }

  @Override
  public void watch(WatchRequest req, StreamObserver<WatchResponse> out) {
    ServerCallStreamObserver<WatchResponse> call = (ServerCallStreamObserver<WatchResponse>) out;
    Stream stream = new Stream(call);
    try {
      stream.cursor = watches.open(CallerInterceptor.caller(), CallerInterceptor.client(), req, stream::schedule);
    } catch (KvException e) {
      stream.fail(e);
      return;
    }
    call.setOnCancelHandler(stream.cursor::close);
    call.setOnReadyHandler(stream::schedule);
    // The first answer goes out from the drain too: the cursor wakes the drain as soon as it is
    // open, and two threads must not send on one call (nor this one read a cursor the drain moved).
    stream.schedule();
  }

  private ResponseHeader header(long revision) {
    return ResponseHeader.newBuilder().setRevision(revision).setMemberId(memberId).build();
  }

  /** One watch stream; {@link #drain} runs on one thread at a time (the work-in-progress counter). */
  private final class Stream {
    private final ServerCallStreamObserver<WatchResponse> call;
    private final AtomicInteger wip = new AtomicInteger();
    private Watches.Cursor cursor;
    private long lastSentRevision = -1;
    private boolean created;
    private boolean finished;

    Stream(ServerCallStreamObserver<WatchResponse> call) {
      this.call = call;
    }

    void schedule() {
      if (wip.getAndIncrement() == 0) {
        executor.execute(this::drain);
      }
    }

    private void drain() {
      int missed = 1;
      do {
        drainOnce();
        missed = wip.addAndGet(-missed);
      } while (missed != 0);
    }

    private void drainOnce() {
      if (cursor.isClosed()) {
        if (watches.shuttingDown() && !finished) {
          fail(new KvException(ErrorKind.UNAVAILABLE, "the node is shutting down; resume the watch on another node"));
        }
        return;
      }
      try {
        if (!created) {
          // "Created": the revision before the start, where the client would resume.
          created = true;
          send(WatchResponse.newBuilder().setHeader(header(cursor.next() - 1)).build());
        }
        while (!cursor.isClosed() && call.isReady()) {
          History.Page page = cursor.poll();
          boolean events = !page.events().isEmpty();
          if (events || cursor.progressDue(page)) {
            // Without events: an empty answer that moves the client's resume point.
            send(WatchResponse.newBuilder().setHeader(header(page.nextRevision() - 1))
                .addAllEvents(page.events()).build());
            cursor.reported(page);
          }
          if (!events) {
            return;
          }
        }
      } catch (KvException e) {
        fail(e);
      } catch (StatusRuntimeException | IllegalStateException e) {
        // The call was cancelled or closed under us.
        cursor.close();
      } catch (RuntimeException e) {
        fail(KvException.from(e));
      }
    }

    void send(WatchResponse response) {
      call.onNext(response);
      lastSentRevision = response.getHeader().getRevision();
    }

    void fail(KvException e) {
      finished = true;
      if (cursor != null) {
        cursor.close();
      }
      if (e.kind() == ErrorKind.COMPACTED) {
        call.onNext(WatchResponse.newBuilder().setHeader(header(Math.max(0, lastSentRevision)))
            .setCompactRevision(watches.oldestKept()).build());
      }
      call.onError(Status.fromCode(e.kind().grpcCode()).withDescription(e.getMessage()).asRuntimeException());
    }
  }
}
