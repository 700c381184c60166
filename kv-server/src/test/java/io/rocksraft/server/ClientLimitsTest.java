package io.rocksraft.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.rocksraft.api.v1.KVGrpc;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.PutResponse;
import io.rocksraft.client.KvClient;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One client floods the leader at full speed, with no retry backoff, while another writes
 * steadily: the flood is held to its share ({@code security.clientLimits.maxInFlight}) and
 * answered RESOURCE_EXHAUSTED past it, and the steady client's latency stays near its
 * unloaded latency.
 */
class ClientLimitsTest {
  private static final int MAX_IN_FLIGHT = 8;
  private static TestCluster t;

  @BeforeAll
  static void startCluster() throws Exception {
    t = TestCluster.start(3, "security: {clientLimits: {maxInFlight: " + MAX_IN_FLIGHT + "}}");
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (t != null) {
      t.close();
    }
  }

  @Test
  void aFloodingClientDoesNotStarveASteadyOne() throws Exception {
    String leader = t.leader();
    try (KvClient steady = t.client(leader)) {
      for (int i = 0; i < 200; i++) {
        steady.put(ByteString.copyFromUtf8("warm/" + i), ByteString.copyFromUtf8("v"));
      }
      Histogram unloaded = steadyWrites(steady, "unloaded", 500);

      ManagedChannel channel = NettyChannelBuilder.forTarget(t.cluster.node(leader).clientAddress()).usePlaintext()
          .build();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong accepted = new AtomicLong();
      AtomicLong refused = new AtomicLong();
      Thread flood = new Thread(() -> flood(KVGrpc.newFutureStub(channel), stop, accepted, refused), "flood");
      flood.start();
      Histogram loaded;
      try {
        // The flood is under way before the steady client measures.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> refused.get() > 100);
        loaded = steadyWrites(steady, "flooded", 500);
      } finally {
        stop.set(true);
        flood.join();
        channel.shutdownNow();
      }
      double unloadedP99 = unloaded.getValueAtPercentile(99) / 1000.0;
      double loadedP99 = loaded.getValueAtPercentile(99) / 1000.0;
      System.out.printf("RESULT steady client p99: unloaded %.2f ms, beside a flood %.2f ms (%.2fx); p50 %.2f and "
              + "%.2f ms; flood: %d writes accepted, %d refused (RESOURCE_EXHAUSTED)%n",
          unloadedP99, loadedP99, loadedP99 / unloadedP99, unloaded.getValueAtPercentile(50) / 1000.0,
          loaded.getValueAtPercentile(50) / 1000.0, accepted.get(), refused.get());
      assertThat(accepted.get()).as("the flood gets its share").isPositive();
      assertThat(refused.get()).as("the flood is held to maxInFlight").isPositive();
      // The goal is 3x; asserted loosely, since the flood's own refusals cost the two cores CPU too.
      assertThat(loadedP99).isLessThan(6 * Math.max(unloadedP99, 1.0));
    }
  }

  /** {@code count} writes one after another; their latencies in microseconds. */
  private static Histogram steadyWrites(KvClient client, String label, int count) {
    Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      client.put(ByteString.copyFromUtf8("steady/" + label + "/" + i), ByteString.copyFromUtf8("value"));
      h.recordValue(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
    }
    return h;
  }

  /** 64 writes in flight at all times, each sent again the moment it is answered or refused. */
  private static void flood(KVGrpc.KVFutureStub stub, AtomicBoolean stop, AtomicLong accepted, AtomicLong refused) {
    Semaphore inFlight = new Semaphore(64);
    long i = 0;
    while (!stop.get()) {
      try {
        if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue;
        }
      } catch (InterruptedException e) {
        return;
      }
      PutRequest put = PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("flood/" + (i++ % 1000)))
          .setValue(ByteString.copyFromUtf8("flood")).build();
      Futures.addCallback(stub.withDeadlineAfter(10, TimeUnit.SECONDS).put(put), new FutureCallback<PutResponse>() {
        @Override
        public void onSuccess(PutResponse r) {
          accepted.incrementAndGet();
          inFlight.release();
        }

        @Override
        public void onFailure(Throwable e) {
          if (Status.fromThrowable(e).getCode() == Status.Code.RESOURCE_EXHAUSTED) {
            refused.incrementAndGet();
          }
          inFlight.release();
        }
      }, MoreExecutors.directExecutor());
    }
    inFlight.acquireUninterruptibly(64);
  }
}
