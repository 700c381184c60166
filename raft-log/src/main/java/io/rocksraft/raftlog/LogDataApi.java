package io.rocksraft.raftlog;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.statemachine.StateMachine;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * Ratis' {@link StateMachine.DataApi} over a {@link LogStore}: Ratis keeps only a light
 * header per entry in its segment files and the payload (the entry's state-machine data)
 * lives in RocksDB. Ratis waits for {@code write} and {@code flush} before it counts an
 * entry as persisted, so an acknowledgement by a majority still means a majority of disks.
 */
public final class LogDataApi implements StateMachine.DataApi {
  private final LogStore store;

  public LogDataApi(LogStore store) {
    this.store = store;
  }

  public LogStore store() {
    return store;
  }

  @Override
  public CompletableFuture<?> write(LogEntryProto entry, TransactionContext context) {
    ByteString data = payloadOf(entry);
    try {
      store.append(entry.getIndex(), data.toByteArray());
      return CompletableFuture.completedFuture(null);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<ByteString> read(LogEntryProto entry, TransactionContext context) {
    try {
      return store.read(entry.getIndex())
          .map(bytes -> CompletableFuture.completedFuture(UnsafeByteOperations.unsafeWrap(bytes)))
          .orElseGet(() -> CompletableFuture.failedFuture(new IOException(
              "no payload for log index " + entry.getIndex() + " (purged or never written)")));
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletableFuture<Void> flush(long logIndex) {
    return store.flush(logIndex);
  }

  @Override
  public CompletableFuture<Void> truncate(long logIndex) {
    try {
      store.truncate(logIndex);
      return CompletableFuture.completedFuture(null);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The payload carried by an entry, or empty for entries without state-machine data. */
  public static ByteString payloadOf(LogEntryProto entry) {
    return entry.getStateMachineLogEntry().getStateMachineEntry().getStateMachineData();
  }
}
