package io.rocksraft.server.api.rest;

import io.rocksraft.api.v1.Member;
import io.rocksraft.api.v1.StatusResponse;
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
  private final long timeoutMs;

  public ClusterResource(RaftNode node, long timeoutMs) {
    this.node = node;
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

  @GET
  public Map<String, Object> status() {
    StatusResponse s = node.status();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", s.getMemberId());
    out.put("role", s.getRole());
    out.put("term", s.getTerm());
    out.put("leader", s.getLeaderId());
    out.put("commitIndex", s.getCommitIndex());
    out.put("appliedIndex", s.getAppliedIndex());
    out.put("revision", s.getRevision());
    List<Map<String, Object>> members = new ArrayList<>();
    for (Member m : s.getMembersList()) {
      members.add(Map.of("id", m.getId(), "raftAddress", m.getRaftAddress(), "grpcAddress", m.getClientAddress()));
    }
    out.put("members", members);
    return out;
  }
}
