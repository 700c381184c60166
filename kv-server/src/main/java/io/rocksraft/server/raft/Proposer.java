package io.rocksraft.server.raft;

import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.internal.BatchResult;
import io.rocksraft.server.internal.Bounds;
import io.rocksraft.server.internal.Command;
import io.rocksraft.server.internal.CommandResult;
import io.rocksraft.server.internal.Failure;
import io.rocksraft.server.internal.LogBatch;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Puts client writes into the Raft log, coalescing the writes that arrive while earlier
 * batches are in flight into one log entry: Raft's cost is per entry, not per byte. Each
 * write keeps its own result (and its own exactly-once identity). With nothing in flight a
 * write goes out alone at once, so a light load pays no batching delay.
 *
 * <p>The queue is bounded: past it a write fails at once with RESOURCE_EXHAUSTED.
 *
 * <p>Every entry carries this node's {@link Bounds}; the writes of an entry that the applier
 * deferred (earlier writes of the entry used its bounds) go back to the head of the queue, in
 * their order, and into the next entry. The first write of an entry is never deferred, so
 * every write is applied or refused within as many entries as it had writes before it.
 */
final class Proposer {
  /** From handing a batch to the log until its applied result is back (successful batches; failures are counted). */
  static final String COMMIT_TIMER = "rocksraft.raft.commit";
  static final String COMMIT_ERRORS = "rocksraft.raft.commit.errors";
  static final String BATCH_OPS = "rocksraft.raft.batch.ops";
  /** Writes the applier sent back for the next entry: the writes before them in the entry used its bounds. */
  static final String DEFERRED_WRITES = "rocksraft.raft.deferred.writes";
  static final String QUEUED_WRITES = "rocksraft.raft.queued.writes";

  private record Pending(Command command, int bytes, CompletableFuture<CommandResult> result) {}

  private final Function<Message, CompletableFuture<RaftClientReply>> log;
  private final int maxQueued;
  private final int maxInFlight;
  private final int maxBatchOps;
  private final int maxBatchBytes;
  private final Bounds bounds;
  private final Timer commitTimer;
  private final Meter commitErrors;
  private final Histogram batchOps;
  private final Meter deferredWrites;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private int inFlight;
  private boolean closed;

  /**
   * {@code log} puts one message into the Raft log and answers with the applied result;
   * {@code bounds} go into every entry.
   */
  Proposer(Function<Message, CompletableFuture<RaftClientReply>> log, int maxQueued, int maxInFlight, int maxBatchOps,
           int maxBatchBytes, Bounds bounds, MetricRegistry metrics) {
    this.log = log;
    this.maxQueued = maxQueued;
    this.maxInFlight = maxInFlight;
    this.maxBatchOps = maxBatchOps;
    this.maxBatchBytes = maxBatchBytes;
    this.bounds = bounds;
    this.commitTimer = metrics.timer(COMMIT_TIMER);
    this.commitErrors = metrics.meter(COMMIT_ERRORS);
    this.batchOps = metrics.histogram(BATCH_OPS);
    this.deferredWrites = metrics.meter(DEFERRED_WRITES);
    metrics.registerGauge(QUEUED_WRITES, this::queued);
  }

  CompletableFuture<CommandResult> propose(Command command) {
    CompletableFuture<CommandResult> result = new CompletableFuture<>();
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new KvException(ErrorKind.UNAVAILABLE, "node is shutting down"));
      }
      if (queue.size() >= maxQueued) {
        return CompletableFuture.failedFuture(new KvException(ErrorKind.RESOURCE_EXHAUSTED,
            "node has " + queue.size() + " writes queued (backpressure.maxQueuedWrites); retry later"));
      }
      queue.add(new Pending(command, command.getSerializedSize(), result));
    }
    dispatch();
    return result;
  }

  private void dispatch() {
    while (true) {
      List<Pending> batch = new ArrayList<>();
      synchronized (this) {
        if (inFlight >= maxInFlight || queue.isEmpty()) {
          return;
        }
        int bytes = 0;
        while (!queue.isEmpty() && batch.size() < maxBatchOps
            && (batch.isEmpty() || bytes + queue.peek().bytes() <= maxBatchBytes)) {
          Pending p = queue.poll();
          bytes += p.bytes();
          batch.add(p);
        }
        inFlight++;
      }
      send(batch);
    }
  }

  private void send(List<Pending> batch) {
    // The leader stamps the session clock (KvStateMachine.startTransaction), not this node.
    LogBatch.Builder entry = LogBatch.newBuilder().setBounds(bounds);
    batch.forEach(p -> entry.addCommands(p.command()));
    batchOps.update(batch.size());
    Timer.Context commit = commitTimer.time();
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = log.apply(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry.build().toByteArray())));
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    reply.whenComplete((r, error) -> {
      if (error == null && r.isSuccess()) {
        commit.stop();
      } else {
        commitErrors.mark();
      }
      synchronized (this) {
        inFlight--;
      }
      complete(batch, r, error);
      dispatch();
    });
  }

  private void complete(List<Pending> batch, RaftClientReply reply, Throwable error) {
    if (error == null && !reply.isSuccess()) {
      error = reply.getException();
    }
    if (error != null) {
      KvException e = RatisErrors.toKv(error);
      batch.forEach(p -> p.result().completeExceptionally(e));
      return;
    }
    BatchResult results;
    try {
      results = BatchResult.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      batch.forEach(p -> p.result().completeExceptionally(new KvException(ErrorKind.INTERNAL, "bad apply result", e)));
      return;
    }
    if (results.getResultsCount() != batch.size()) {
      batch.forEach(p -> p.result().completeExceptionally(new KvException(ErrorKind.INTERNAL,
          "apply returned " + results.getResultsCount() + " results for " + batch.size() + " writes")));
      return;
    }
    List<Pending> deferred = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      CommandResult r = results.getResults(i);
      if (r.hasFailure() && r.getFailure().getCode() == Failure.Code.DEFERRED && i > 0) {
        deferred.add(batch.get(i));
      } else if (r.hasFailure()) {
        batch.get(i).result().completeExceptionally(toException(r.getFailure()));
      } else {
        batch.get(i).result().complete(r);
      }
    }
    deferredWrites.mark(deferred.size());
    requeue(deferred);
  }

  /** Puts deferred writes back at the head of the queue, in their order (they were admitted already). */
  private void requeue(List<Pending> deferred) {
    synchronized (this) {
      if (!closed) {
        for (int i = deferred.size() - 1; i >= 0; i--) {
          queue.addFirst(deferred.get(i));
        }
        return;
      }
    }
    deferred.forEach(p -> p.result().completeExceptionally(
        new KvException(ErrorKind.UNAVAILABLE, "node is shutting down")));
  }

  private static KvException toException(Failure f) {
    return switch (f.getCode()) {
      case SESSION_EXPIRED -> new KvException(ErrorKind.FAILED_PRECONDITION, f.getMessage());
      case WRITE_ID_REUSED -> new KvException(ErrorKind.WRITE_ID_REUSED, f.getMessage());
      case TOO_LARGE -> new KvException(ErrorKind.TOO_LARGE, f.getMessage());
      // The applier never defers the first write of an entry; were it to, a retry could loop.
      case DEFERRED -> new KvException(ErrorKind.INTERNAL, "the first write of a log entry was deferred");
      default -> new KvException(ErrorKind.INVALID_ARGUMENT, f.getMessage());
    };
  }

  private synchronized int queued() {
    return queue.size();
  }

  void close() {
    List<Pending> abandoned;
    synchronized (this) {
      closed = true;
      abandoned = new ArrayList<>(queue);
      queue.clear();
    }
    abandoned.forEach(p -> p.result().completeExceptionally(
        new KvException(ErrorKind.UNAVAILABLE, "node is shutting down")));
  }
}
