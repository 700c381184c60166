package io.rocksraft.server.api;

import io.rocksraft.api.v1.Member;
import io.rocksraft.server.config.NodeConfig;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.raft.RaftNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Online membership changes, checked before they reach Raft: well-formed members, no
 * duplicates, and no removal that would leave the group without a majority that answers.
 * Shared by gRPC and REST.
 */
public final class Membership {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Said when a member is asked to remove itself; the Java client then asks another endpoint. */
  public static final String ANSWERING = "is the node answering";

  private final RaftNode node;
  private final MemberStatuses statuses;

  public Membership(RaftNode node, MemberStatuses statuses) {
    this.node = node;
    this.statuses = statuses;
  }

  public List<Member> list() {
    return node.members();
  }

  /** How long a change may take: catching a new member up can take a while. */
  public long timeoutMs() {
    return node.config().raft().memberChangeTimeoutMs();
  }

  public CompletableFuture<List<Member>> add(Member member) {
    if (!ID.matcher(member.getId()).matches()) {
      throw KvException.invalid("member id '" + member.getId()
          + "' must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    address("raftAddress", member.getRaftAddress());
    address("clientAddress", member.getClientAddress());
    for (Member m : node.members()) {
      if (m.getId().equals(member.getId())) {
        throw new KvException(ErrorKind.FAILED_PRECONDITION, "'" + member.getId() + "' is already a member");
      }
      if (m.getRaftAddress().equals(member.getRaftAddress())) {
        throw new KvException(ErrorKind.FAILED_PRECONDITION,
            "member " + m.getId() + " already has raftAddress " + member.getRaftAddress());
      }
    }
    // Ratis waits for a new member that never answers without end (its staging timeout is only
    // checked while the leader is idle), so a node that is not there is refused up front.
    return statuses.ask(member).thenCompose(answer -> {
      if (answer.status() == null) {
        throw new KvException(ErrorKind.FAILED_PRECONDITION, "the new member does not answer at "
            + member.getClientAddress() + " (" + answer.error() + "): start it first, with join: true");
      }
      String groupId = node.status().getGroupId();
      if (!answer.status().getMemberId().equals(member.getId()) || !answer.status().getGroupId().equals(groupId)) {
        throw new KvException(ErrorKind.FAILED_PRECONDITION, "the node at " + member.getClientAddress() + " is '"
            + answer.status().getMemberId() + "' of group " + answer.status().getGroupId() + ", not '"
            + member.getId() + "' of this group " + groupId + " (same id and cluster name needed)");
      }
      return node.addMember(member);
    });
  }

  public CompletableFuture<List<Member>> remove(String id) {
    List<Member> members = node.members();
    if (members.stream().noneMatch(m -> m.getId().equals(id))) {
      throw new KvException(ErrorKind.NOT_FOUND, "'" + id + "' is not a member; members: "
          + members.stream().map(Member::getId).toList());
    }
    if (id.equals(node.memberId())) {
      // Its own removal would close this node's group before it could answer; another member can.
      throw new KvException(ErrorKind.FAILED_PRECONDITION, "'" + id + "' " + ANSWERING
          + "; send its removal to another member");
    }
    if (members.size() == 1) {
      throw new KvException(ErrorKind.FAILED_PRECONDITION, "'" + id + "' is the only member; a group needs one");
    }
    return statuses.all(node.status()).thenCompose(answers -> {
      List<String> answering = answers.stream()
          .filter(a -> a.status() != null && !a.member().getId().equals(id)).map(a -> a.member().getId()).toList();
      int remaining = members.size() - 1;
      if (answering.size() <= remaining / 2) {
        throw new KvException(ErrorKind.FAILED_PRECONDITION, "removing '" + id + "' would leave " + remaining
            + " members of which only " + answering + " answer: no majority; bring members back first");
      }
      return node.removeMember(id);
    });
  }

  private static void address(String field, String value) {
    if (!NodeConfig.isHostPort(value)) {
      throw KvException.invalid(field + " '" + value + "' is not host:port");
    }
  }
}
