package io.rocksraft.jepsen.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rocksraft.api.v1.HashResponse;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.client.KvClient;
import io.rocksraft.jepsen.checker.CheckResult;
import io.rocksraft.jepsen.checker.Verdict;
import io.rocksraft.jepsen.history.History;
import io.rocksraft.jepsen.history.Recorder;
import io.rocksraft.jepsen.nemesis.Faults;
import io.rocksraft.jepsen.nemesis.Nemesis;
import io.rocksraft.jepsen.workload.Workload;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fault-injection run: clients run every workload concurrently while the nemesis starts and
 * heals faults at random intervals (each kind in turn, so a short run sees them all); then every
 * fault is healed, the final operations run, all replicas must reach the same applied index and
 * state hash, and each workload's checker judges its history. Writes the run directory.
 */
public final class Runner {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * {@code time}: how long clients and faults run; {@code clients}: client threads per workload;
   * {@code faultEvery}/{@code faultFor}: mean pause between faults and how long each lasts.
   */
  public record Config(Duration time, int clients, List<Workload> workloads, List<Nemesis> nemeses, Path out,
                       long seed, Duration opTimeout, Duration faultEvery, Duration faultFor) {}

  /** The run's outcome: valid only when every checker and the replica comparison say valid. */
  public record Result(Path dir, Verdict verdict, List<CheckResult> checks, List<Timeline.Interval> faults) {
    public boolean valid() {
      return verdict == Verdict.VALID;
    }
  }

  private final Config config;

  public Runner(Config config) {
    this.config = config;
  }

  public Result run(Faults faults, List<String> endpoints) throws Exception {
    Path dir = config.out();
    Files.createDirectories(dir);
    Random random = new Random(config.seed());
    long start = System.nanoTime();
    Timeline timeline = new Timeline();
    Map<Workload, Recorder> recorders = new LinkedHashMap<>();
    try (KvClient admin = client(endpoints)) {
      for (Workload w : config.workloads()) {
        w.setUp(admin);
        recorders.put(w, new Recorder(start));
      }
      AtomicBoolean running = new AtomicBoolean(true);
      List<Thread> workers = new ArrayList<>();
      int process = 0;
      for (Workload w : config.workloads()) {
        for (int c = 0; c < config.clients(); c++) {
          workers.add(worker(w, process++, recorders.get(w), endpoints, new Random(random.nextLong()), running));
        }
      }
      workers.forEach(Thread::start);
      Deque<Nemesis.Active> active = new ArrayDeque<>();
      try {
        injectFaults(faults, admin, random, timeline, start, active);
      } finally {
        running.set(false);
        for (Thread t : workers) {
          t.join(config.opTimeout().toMillis() * 3);
        }
        healEverything(faults, timeline, start, active);
      }
      awaitConverged(admin, faults.nodes().size());
      for (Workload w : config.workloads()) {
        w.finish(process++, admin, recorders.get(w));
      }
      List<CheckResult> checks = new ArrayList<>();
      for (Workload w : config.workloads()) {
        History h = recorders.get(w).history();
        h.write(dir.resolve(w.name() + ".jsonl"));
        CheckResult r = w.check(h);
        LOG.info("{}: {} — {}", w.name(), r.verdict(), r.summary());
        checks.add(r);
      }
      checks.add(replicasAgree(admin, faults.nodes().size()));
      Verdict verdict = checks.stream().map(CheckResult::verdict).reduce(Verdict.VALID, Verdict::and);
      Result result = new Result(dir, verdict, checks, timeline.intervals());
      writeTimeline(dir, timeline);
      JSON.writeValue(dir.resolve("results.json").toFile(), Map.of("valid", result.valid(), "verdict", verdict,
          "seed", config.seed(), "checks", checks));
      Report.write(dir.resolve("report.html"), recorders.values().stream().map(Recorder::history).toList(),
          config.workloads().stream().map(Workload::name).toList(), result);
      return result;
    }
  }

  private KvClient client(List<String> endpoints) {
    // Reads spread over every node: each node's read-index path is under test, not only the leader's.
    return KvClient.builder().endpoints(endpoints).timeout(config.opTimeout()).linearizableReadsAtLeader(false).build();
  }

  private Thread worker(Workload w, int process, Recorder recorder, List<String> endpoints, Random random,
                        AtomicBoolean running) {
    Thread t = new Thread(() -> {
      try (KvClient client = client(endpoints)) {
        while (running.get()) {
          w.step(process, client, recorder, random);
        }
      }
    }, "jepsen-" + w.name() + "-" + process);
    t.setDaemon(true);
    return t;
  }

  /** Faults in turn (every kind once before any repeats), each after a random pause, for a random while. */
  private void injectFaults(Faults faults, KvClient admin, Random random, Timeline timeline, long start,
                            Deque<Nemesis.Active> active) throws InterruptedException {
    long end = start + config.time().toNanos();
    int next = 0;
    while (true) {
      sleepUntil(Math.min(end, System.nanoTime() + jitter(random, config.faultEvery())));
      if (System.nanoTime() >= end || config.nemeses().isEmpty()) {
        sleepUntil(end);
        return;
      }
      Nemesis kind = config.nemeses().get(next++ % config.nemeses().size());
      Nemesis.Active fault;
      try {
        fault = retry(START_ATTEMPTS, () -> kind.start(faults, admin, random));
      } catch (Exception e) {
        LOG.warn("nemesis {} could not start: {}", kind.id(), e.toString());
        timeline.end(timeline.begin(kind.id(), "could not start: " + e.getMessage(), System.nanoTime() - start),
            System.nanoTime() - start, null);
        continue;
      }
      int at = timeline.begin(kind.id(), fault.description(), System.nanoTime() - start);
      LOG.info("nemesis: {}", fault.description());
      active.push(fault);
      sleepUntil(Math.min(end, System.nanoTime() + jitter(random, config.faultFor())));
      heal(active.pop(), timeline, at, start);
    }
  }

  private static void heal(Nemesis.Active fault, Timeline timeline, int at, long start) {
    String error = null;
    try {
      // A node just restarted may take a while to answer: healing is retried, not given up.
      retry(HEAL_ATTEMPTS, () -> {
        fault.heal().run();
        return null;
      });
    } catch (Exception e) {
      error = e.toString();
      LOG.warn("healing '{}' failed: {}", fault.description(), error);
    }
    timeline.end(at, System.nanoTime() - start, error);
  }

  /** Ends whatever is still in effect and restarts every node: the run ends with a whole cluster. */
  private static void healEverything(Faults faults, Timeline timeline, long start, Deque<Nemesis.Active> active) {
    List<Timeline.Interval> open = timeline.intervals();
    while (!active.isEmpty()) {
      Nemesis.Active fault = active.pop();
      for (int i = open.size() - 1; i >= 0; i--) {
        if (open.get(i).end() < 0) {
          heal(fault, timeline, i, start);
          break;
        }
      }
    }
    for (String node : faults.nodes()) {
      try {
        faults.resume(node);
      } catch (Exception e) {
        // it was not paused
      }
    }
    try {
      faults.heal();
    } catch (Exception e) {
      LOG.warn("healing partitions failed: {}", e.toString());
    }
  }

  /** Waits until every node answers, names the same leader and has applied the leader's commit index. */
  private static void awaitConverged(KvClient admin, int nodes) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      try {
        List<StatusResponse> all = admin.statusAll();
        long commit = all.stream().mapToLong(StatusResponse::getCommitIndex).max().orElse(0);
        if (all.size() == nodes && all.stream().map(StatusResponse::getLeaderId).distinct().count() == 1
            && !all.get(0).getLeaderId().isEmpty() && all.stream().allMatch(s -> s.getAppliedIndex() >= commit)) {
          return;
        }
      } catch (RuntimeException e) {
        // not yet
      }
      Thread.sleep(200);
    }
    LOG.warn("the cluster did not converge within 3 minutes; the replica check will tell");
  }

  /** Every replica hashes its state at one log index; all must agree. */
  private static CheckResult replicasAgree(KvClient admin, int nodes) {
    try {
      List<HashResponse> hashes = admin.check();
      Map<String, Object> details = new LinkedHashMap<>();
      hashes.forEach(h -> details.put(h.getMemberId(), h.getHash() + " (" + h.getKeys() + " keys)"));
      boolean agree = hashes.size() == nodes && hashes.stream().map(HashResponse::getHash).distinct().count() == 1;
      return new CheckResult("replicas", agree ? Verdict.VALID : Verdict.INVALID, agree
          ? "all " + nodes + " replicas hash the same state at index " + hashes.get(0).getIndex()
          : "replicas differ (or did not answer): " + details, details);
    } catch (RuntimeException e) {
      return new CheckResult("replicas", Verdict.UNKNOWN, "could not compare replicas: " + e.getMessage(), Map.of());
    }
  }

  private static void writeTimeline(Path dir, Timeline timeline) throws Exception {
    try (BufferedWriter out = Files.newBufferedWriter(dir.resolve("nemesis.jsonl"))) {
      for (Timeline.Interval i : timeline.intervals()) {
        out.write(new ObjectMapper().writeValueAsString(i));
        out.newLine();
      }
    }
  }

  private static final int START_ATTEMPTS = 3;
  private static final int HEAL_ATTEMPTS = 60;

  /** Tries {@code action} up to {@code attempts} times, a second apart; throws the last failure. */
  private static <T> T retry(int attempts, java.util.concurrent.Callable<T> action) throws Exception {
    for (int i = 1; ; i++) {
      try {
        return action.call();
      } catch (Exception e) {
        if (i >= attempts) {
          throw e;
        }
        LOG.info("attempt {} failed ({}); again in 1 s", i, e.toString());
        Thread.sleep(1000);
      }
    }
  }

  private static long jitter(Random random, Duration mean) {
    long nanos = mean.toNanos();
    return nanos / 2 + (long) (random.nextDouble() * nanos);
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }
}
