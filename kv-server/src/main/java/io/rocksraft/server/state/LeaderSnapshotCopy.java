package io.rocksraft.server.state;

import com.google.protobuf.ByteString;
import io.rocksraft.server.internal.Query;
import io.rocksraft.server.internal.QueryResult;
import io.rocksraft.server.internal.SnapshotChunk;
import io.rocksraft.server.internal.SnapshotDescribe;
import io.rocksraft.server.internal.SnapshotDescription;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's copy of the leader's latest local snapshot, for when the bucket cannot serve one.
 * It travels over Ratis itself: the follower's Ratis client sends stale-read queries to the
 * leader's Raft port (with peer TLS when configured), and the leader's state machine answers them
 * here from its {@link SnapshotStore}. One query describes the snapshot (cluster, position, its
 * {@code manifest.json}), then each file comes in chunks of at most {@link #CHUNK_BYTES}; every
 * file is checked against the manifest's size and CRC32C before the copy counts.
 */
public final class LeaderSnapshotCopy {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderSnapshotCopy.class);
  /** Well below Ratis' message limit (64 MiB here); a chunk is one round trip. */
  static final int CHUNK_BYTES = 4 << 20;
  /** Whole copies tried: the leader may replace its snapshot (and prune the old one) meanwhile. */
  private static final int ATTEMPTS = 3;
  private static final String COPYING = ".copy.tmp";

  private final SnapshotStore snapshots;
  private final String clusterId;
  private final Function<RaftPeer, RaftClient> clients;

  /**
   * {@code clusterId}: this cluster's name, which a copied snapshot must carry; {@code clients}:
   * a Ratis client of the group with just that peer in it.
   */
  public LeaderSnapshotCopy(SnapshotStore snapshots, String clusterId, Function<RaftPeer, RaftClient> clients) {
    this.snapshots = snapshots;
    this.clusterId = clusterId;
    this.clients = clients;
  }

  /** Whether a query is one this class answers. */
  static boolean isSnapshotQuery(Query q) {
    return q.hasSnapshotDescribe() || q.hasSnapshotChunk();
  }

  /** The leader's side: answers a describe or a chunk query from this node's snapshots. */
  QueryResult answer(Query q) throws IOException {
    if (q.hasSnapshotDescribe()) {
      SnapshotStore.Local latest = snapshots.latest().orElseThrow(() -> new IOException("no snapshot here"));
      return QueryResult.newBuilder().setSnapshotDescription(SnapshotDescription.newBuilder()
          .setClusterId(clusterId).setTerm(latest.term()).setIndex(latest.index())
          .setManifest(ByteString.copyFrom(Files.readAllBytes(latest.dir().resolve(SnapshotManifest.FILE_NAME)))))
          .build();
    }
    SnapshotChunk c = q.getSnapshotChunk();
    Path dir = snapshots.root().resolve(c.getTerm() + "_" + c.getIndex());
    Path file = dir.resolve(c.getFile()).normalize();
    if (!dir.equals(file.getParent()) || !Files.isRegularFile(file)) {
      throw new IOException("snapshot " + dir.getFileName() + " has no file '" + c.getFile() + "' (any more)");
    }
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, Math.max(0, in.size() - c.getOffset())));
      for (long at = c.getOffset(); buffer.hasRemaining(); ) {
        int n = in.read(buffer, at);
        if (n < 0) {
          break;
        }
        at += n;
      }
      buffer.flip();
      return QueryResult.newBuilder().setSnapshotChunk(ByteString.copyFrom(buffer)).build();
    }
  }

  /**
   * The follower's side: copies {@code leader}'s latest snapshot, which must be of this cluster and
   * at {@code minIndex} or later, into the snapshot directory, and returns it.
   */
  SnapshotStore.Local copy(RaftPeer leader, long minIndex) throws IOException {
    try (RaftClient client = clients.apply(leader)) {
      for (int attempt = 1; ; attempt++) {
        try {
          return copyOnce(client, leader, minIndex);
        } catch (WrongSnapshotException e) {
          throw e;
        } catch (IOException e) {
          if (attempt >= ATTEMPTS) {
            throw e;
          }
          LOG.info("copying {}'s snapshot failed ({}); asking again", leader.getId(), e.getMessage());
        }
      }
    }
  }

  private SnapshotStore.Local copyOnce(RaftClient client, RaftPeer leader, long minIndex) throws IOException {
    SnapshotDescription d = ask(client, leader, Query.newBuilder()
        .setSnapshotDescribe(SnapshotDescribe.getDefaultInstance()).build()).getSnapshotDescription();
    if (!d.getClusterId().equals(clusterId)) {
      throw new WrongSnapshotException(leader.getId() + " is of cluster '" + d.getClusterId() + "', not '"
          + clusterId + "': not copying its snapshot");
    }
    if (d.getIndex() < minIndex) {
      throw new WrongSnapshotException(leader.getId() + "'s latest snapshot is at index " + d.getIndex()
          + ", before the " + minIndex + " this member needs");
    }
    SnapshotManifest manifest = SnapshotManifest.fromJson(d.getManifest().toByteArray());
    if (manifest.term() != d.getTerm() || manifest.index() != d.getIndex()) {
      throw new WrongSnapshotException("the manifest " + leader.getId() + " sent is not its snapshot's");
    }
    String name = d.getTerm() + "_" + d.getIndex();
    Path target = snapshots.root().resolve(name);
    if (!Files.isDirectory(target)) {
      Path tmp = snapshots.root().resolve(name + COPYING);
      FileOps.deleteTree(tmp);
      Files.createDirectories(tmp);
      try {
        long started = System.nanoTime();
        for (SnapshotManifest.FileEntry f : manifest.files()) {
          copyFile(client, leader, d, f, tmp);
        }
        Files.write(tmp.resolve(SnapshotManifest.FILE_NAME), d.getManifest().toByteArray(),
            StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        FileOps.sync(tmp);
        FileOps.rename(tmp, target);
        LOG.info("copied snapshot {} ({} files, {} bytes) from {} in {} ms", name, manifest.files().size(),
            manifest.totalBytes(), leader.getId(), (System.nanoTime() - started) / 1_000_000);
      } finally {
        FileOps.deleteTree(tmp);
      }
    }
    return new SnapshotStore.Local(target, manifest);
  }

  private void copyFile(RaftClient client, RaftPeer leader, SnapshotDescription d, SnapshotManifest.FileEntry f,
                        Path dir) throws IOException {
    Path file = dir.resolve(f.name());
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (long offset = 0; offset < f.size(); ) {
        ByteBuffer chunk = ask(client, leader, Query.newBuilder().setSnapshotChunk(SnapshotChunk.newBuilder()
            .setTerm(d.getTerm()).setIndex(d.getIndex()).setFile(f.name()).setOffset(offset)).build())
            .getSnapshotChunk().asReadOnlyByteBuffer();
        if (!chunk.hasRemaining()) {
          throw new IOException(leader.getId() + "'s " + f.name() + " ends at " + offset + ", before " + f.size());
        }
        while (chunk.hasRemaining()) {
          offset += out.write(chunk);
        }
      }
      out.force(true);
    }
    SnapshotManifest.FileEntry copied = SnapshotManifest.describe(file);
    if (!copied.equals(f)) {
      throw new IOException("copied " + f.name() + " from " + leader.getId() + " is " + copied + ", its manifest says "
          + f);
    }
  }

  private static QueryResult ask(RaftClient client, RaftPeer leader, Query q) throws IOException {
    RaftClientReply reply = client.io().sendStaleRead(
        Message.valueOf(UnsafeByteOperations.unsafeWrap(q.toByteArray())), 0, leader.getId());
    if (!reply.isSuccess()) {
      throw new IOException(leader.getId() + " did not answer a snapshot query: " + reply.getException());
    }
    return QueryResult.parseFrom(reply.getMessage().getContent().asReadOnlyByteBuffer());
  }

  /** The leader's snapshot is not one this member may install: asking again will not help. */
  private static final class WrongSnapshotException extends IOException {
    WrongSnapshotException(String message) {
      super(message);
    }
  }
}
