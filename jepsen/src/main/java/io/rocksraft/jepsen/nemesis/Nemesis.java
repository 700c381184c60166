package io.rocksraft.jepsen.nemesis;

import io.rocksraft.api.v1.Member;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.client.KvClient;
import io.rocksraft.client.KvClientException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The faults a run injects, each started and later healed: a fault's {@link #start} returns what
 * undoes it and a line that says what it did.
 */
public enum Nemesis {
  KILL, PAUSE, PARTITION, MEMBERSHIP, LEADER_TRANSFER, WIPE;

  /** How long a removal whose answer was lost waits for a leader to tell whether it happened. */
  private static final java.time.Duration UNKNOWN_OUTCOME_WAIT = java.time.Duration.ofSeconds(30);

  /** A fault in effect: what it did, and how to end it. */
  public record Active(Nemesis kind, String description, Heal heal) {}

  public interface Heal {
    void run() throws Exception;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static Nemesis parse(String id) {
    for (Nemesis n : values()) {
      if (n.id().equals(id)) {
        return n;
      }
    }
    throw new IllegalArgumentException("no nemesis '" + id + "'; known: "
        + java.util.Arrays.stream(values()).map(Nemesis::id).toList() + " or all");
  }

  public Active start(Faults faults, KvClient client, Random random) throws Exception {
    List<String> nodes = faults.nodes();
    String any = nodes.get(random.nextInt(nodes.size()));
    return switch (this) {
      case KILL -> {
        faults.kill(any);
        yield new Active(this, "killed " + any, () -> faults.start(any));
      }
      case PAUSE -> {
        faults.pause(any);
        yield new Active(this, "paused " + any, () -> faults.resume(any));
      }
      case PARTITION -> partition(faults, random);
      case MEMBERSHIP -> membership(faults, client, random);
      case LEADER_TRANSFER -> {
        String leader = client.transferLeadership("");
        yield new Active(this, "leadership moved to " + leader, () -> { });
      }
      case WIPE -> {
        faults.wipe(any);
        yield new Active(this, "wiped " + any + "'s data directory", () -> { });
      }
    };
  }

  /** One node alone, a majority and a minority, or a bridge (one node sees both halves). */
  private Active partition(Faults faults, Random random) throws Exception {
    List<String> shuffled = new ArrayList<>(faults.nodes());
    Collections.shuffle(shuffled, random);
    List<List<String>> components = new ArrayList<>();
    String shape;
    int n = shuffled.size();
    switch (random.nextInt(3)) {
      case 0 -> {
        components.add(List.of(shuffled.get(0)));
        components.add(List.copyOf(shuffled.subList(1, n)));
        shape = "isolated " + shuffled.get(0);
      }
      case 1 -> {
        components.add(List.copyOf(shuffled.subList(0, n / 2 + 1)));
        components.add(List.copyOf(shuffled.subList(n / 2 + 1, n)));
        shape = "split " + components;
      }
      default -> {
        // A bridge: the first node talks to both sides, the sides do not talk to each other.
        String bridge = shuffled.get(0);
        List<String> rest = shuffled.subList(1, n);
        List<String> left = List.copyOf(rest.subList(0, rest.size() / 2));
        List<String> right = List.copyOf(rest.subList(rest.size() / 2, rest.size()));
        components.add(left);
        components.add(right);
        shape = "bridge " + bridge + " between " + left + " and " + right;
      }
    }
    faults.partition(components);
    return new Active(this, shape, faults::heal);
  }

  /** Removes a follower from the group, wipes it, and adds it back as a new member when healed. */
  private Active membership(Faults faults, KvClient client, Random random) throws Exception {
    StatusResponse leader = leaderStatus(client);
    List<String> members = leader.getMembersList().stream().map(Member::getId).toList();
    if (members.size() < faults.nodes().size()) {
      // A group already short of a member (an earlier add that never completed) is left alone.
      throw new IllegalStateException("the group has only " + members + " of " + faults.nodes());
    }
    List<String> followers = members.stream().filter(id -> !id.equals(leader.getMemberId())).toList();
    String node = followers.get(random.nextInt(followers.size()));
    try {
      client.memberRemove(node);
    } catch (RuntimeException e) {
      // Unknown outcome (a timeout): only a leader that still has the node says it did not
      // happen. Otherwise the node is taken as removed (it may be): it is made a joiner and added
      // back at heal, which is right either way, and never left out of the group unawares.
      if (stillMember(client, node)) {
        throw e;
      }
    }
    faults.restartAsJoiner(node);
    Member member = Member.newBuilder().setId(node).setRaftAddress(faults.raftAddress(node))
        .setClientAddress(faults.clientAddress(node)).build();
    return new Active(this, "removed " + node + " from the group", () -> addBack(client, member));
  }

  /** Whether a leader, waited for a while, says {@code node} is a member. */
  private static boolean stillMember(KvClient client, String node) throws InterruptedException {
    long deadline = System.nanoTime() + UNKNOWN_OUTCOME_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        return leaderStatus(client).getMembersList().stream().anyMatch(m -> m.getId().equals(node));
      } catch (RuntimeException noLeaderYet) {
        Thread.sleep(500);
      }
    }
    return false;
  }

  /** The status of the node that says it leads (its member list is the group's). */
  private static StatusResponse leaderStatus(KvClient client) {
    return client.statusAll().stream().filter(st -> "LEADER".equals(st.getRole())).findFirst()
        .orElseThrow(() -> new IllegalStateException("no node says it leads"));
  }

  /**
   * Adds the member; done too when the group already has it: an add whose answer was lost (and
   * is retried) may have happened. The member list is not asked first, because the node being
   * added answers it with its configured peers, itself among them.
   */
  private static void addBack(KvClient client, Member member) {
    try {
      client.memberAdd(member);
    } catch (KvClientException.FailedPrecondition e) {
      if (!e.getMessage().contains("'" + member.getId() + "' is already a member")) {
        throw e;
      }
    }
  }
}
