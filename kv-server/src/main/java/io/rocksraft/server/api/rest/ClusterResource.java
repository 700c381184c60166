package io.rocksraft.server.api.rest;

import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.server.api.MemberStatuses;
import io.rocksraft.server.raft.RaftNode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** {@code /v1/cluster}: the group as this node sees it. */
@Path("/v1/cluster")
@Produces(MediaType.APPLICATION_JSON)
public final class ClusterResource {
  /** A leader transfer: the member to lead, or none for any other member. */
  public record LeaderBody(@Text String id) {}

  private final RaftNode node;
  private final MemberStatuses memberStatuses;
  private final long timeoutMs;

  public ClusterResource(RaftNode node, MemberStatuses memberStatuses, long timeoutMs) {
    this.node = node;
    this.memberStatuses = memberStatuses;
    this.timeoutMs = timeoutMs;
  }

  /** Hands leadership to {@code id} (or any other member); answers once it leads. */
  @POST
  @Path("leader")
  @Consumes(MediaType.APPLICATION_JSON)
  public CompletionStage<Map<String, Object>> transferLeader(LeaderBody body) {
    String id = body == null || body.id() == null ? "" : body.id();
    // Twice the request timeout: the transfer itself may take that long before Ratis answers.
    return Json.answer(node.transferLeadership(id).thenApply(leader -> Map.<String, Object>of("leader", leader)),
        2 * timeoutMs);
  }

  /** This node's view, and each member's own role, term and commit and applied index. */
  @GET
  public CompletionStage<Map<String, Object>> status() {
    StatusResponse s = node.status();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", s.getMemberId());
    out.put("role", s.getRole());
    out.put("term", s.getTerm());
    out.put("leader", s.getLeaderId());
    out.put("commitIndex", s.getCommitIndex());
    out.put("appliedIndex", s.getAppliedIndex());
    out.put("revision", s.getRevision());
    return memberStatuses.all(s).thenApply(answers -> {
      List<Map<String, Object>> members = new ArrayList<>();
      for (MemberStatuses.Answer a : answers) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", a.member().getId());
        m.put("raftAddress", a.member().getRaftAddress());
        m.put("grpcAddress", a.member().getClientAddress());
        m.put("reachable", a.status() != null);
        if (a.status() != null) {
          m.put("role", a.status().getRole());
          m.put("term", a.status().getTerm());
          m.put("commitIndex", a.status().getCommitIndex());
          m.put("appliedIndex", a.status().getAppliedIndex());
        } else {
          m.put("error", a.error());
        }
        members.add(m);
      }
      out.put("members", members);
      return out;
    });
  }
}
