package io.rocksraft.server.api;

import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.WatchRequest;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.security.Caller;
import io.rocksraft.server.security.ClientLimiter;
import io.rocksraft.server.state.History;
import io.rocksraft.server.state.KeyRange;
import io.rocksraft.server.state.KvStateMachine;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches as every API serves them: a cursor over this node's change history that a watcher
 * pulls from whenever a new revision is applied. Reading the history (not pushing events from
 * the apply thread) is what makes each watcher see every event once, in order, at its own
 * pace; a watcher too slow for the retention gets COMPACTED.
 */
public final class Watches {
  /** An event-less answer that moves a watcher's resume point goes out at most this often. */
  private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Events per page; a transaction's revision is never split. */
  public static final int PAGE_EVENTS = 512;

  private final KvStateMachine state;
  private final RequestValidator validator;

  private final boolean enabled;
  private final Set<Cursor> open = ConcurrentHashMap.newKeySet();
  private volatile boolean shuttingDown;

  private final ClientLimiter limiter;

  public Watches(KvStateMachine state, RequestValidator validator, long historyRevisions, ClientLimiter limiter) {
    this.state = state;
    this.validator = validator;
    this.limiter = limiter;
    this.enabled = historyRevisions > 0;
  }

  /**
   * A cursor at {@code req.start_revision} (0: after the current revision) that calls
   * {@code onNewRevision} after each applied revision until it is closed; {@code client}
   * counts it against that client's watches.
   */
  public Cursor open(Caller caller, String client, WatchRequest req, Runnable onNewRevision) {
    validator.watch(req);
    caller.requireRead(req.getPrefix().isEmpty()
        ? (req.getKey().isEmpty() ? KeyRange.of(ByteString.EMPTY, ByteString.EMPTY, ByteString.EMPTY)
            : KeyRange.of(req.getKey(), successor(req.getKey()), ByteString.EMPTY))
        : KeyRange.of(ByteString.EMPTY, ByteString.EMPTY, req.getPrefix()));
    if (!enabled) {
      throw new KvException(ErrorKind.FAILED_PRECONDITION,
          "watches are off on this node: it keeps no history (watch.historyRevisions is 0)");
    }
    long current = state.applied().revision();
    long start = req.getStartRevision() == 0 ? current + 1 : req.getStartRevision();
    if (start <= current) {
      // Fail now, not at the first read, when the start is already gone.
      state.history().checkKept(start);
    }
    if (shuttingDown) {
      throw new KvException(ErrorKind.UNAVAILABLE, "the node is shutting down; watch another node");
    }
    ClientLimiter.Permit permit = limiter.openWatch(client);
    Cursor cursor = new Cursor(new History.Filter(req.getKey(), req.getPrefix()), start, onNewRevision, permit);
    open.add(cursor);
    return cursor;
  }

  private static ByteString successor(ByteString key) {
    return key.concat(ByteString.copyFrom(new byte[1]));
  }

  /** Ends every watch (its reader sees the cursor closed) so that shutdown need not wait for them. */
  public void closeAll() {
    shuttingDown = true;
    for (Cursor c : open) {
      c.close();
      c.wake.run();
    }
  }

  public boolean shuttingDown() {
    return shuttingDown;
  }

  /** The oldest revision a watch can start from. */
  public long oldestKept() {
    return state.history().oldestKept();
  }

  /** One watcher's position: the next revision it has not been sent. */
  public final class Cursor implements AutoCloseable {
    private final History.Filter filter;
    private final AutoCloseable subscription;
    private final Runnable wake;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long next;
    /** What the watcher was last told: the revision it would resume from, and when. */
    private long reportedNext;
    private long reportedNanos = System.nanoTime();

    private final ClientLimiter.Permit permit;

    private Cursor(History.Filter filter, long start, Runnable onNewRevision, ClientLimiter.Permit permit) {
      this.permit = permit;
      this.filter = filter;
      this.next = start;
      this.reportedNext = start;
      this.wake = onNewRevision;
      this.subscription = state.onNewRevision(onNewRevision);
    }

    /** The next revision this cursor will read; everything before it has been read. */
    public long next() {
      return next;
    }

    /**
     * The next page of events up to the applied revision (empty when caught up), and moves
     * past it. Not thread-safe: one reader per cursor.
     *
     * @throws io.rocksraft.server.error.KvException COMPACTED when the cursor fell behind
     */
    public History.Page poll() {
      long upTo = state.applied().revision();
      if (next > upTo) {
        return new History.Page(java.util.List.of(), next);
      }
      History.Page page = state.history().read(filter, next, upTo, PAGE_EVENTS);
      next = page.nextRevision();
      return page;
    }

    /**
     * Whether an event-less {@code page} should still be reported: it moved the resume point
     * (writes to other keys passed) and the watcher has not heard from us for a while.
     */
    public boolean progressDue(History.Page page) {
      return page.nextRevision() > reportedNext && System.nanoTime() - reportedNanos > PROGRESS_EVERY_NANOS;
    }

    /** The watcher has been sent {@code page} (its events, or the progress it made). */
    public void reported(History.Page page) {
      reportedNext = page.nextRevision();
      reportedNanos = System.nanoTime();
    }

    public boolean isClosed() {
      return closed.get();
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        open.remove(this);
        permit.close();
        try {
          subscription.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }
}
