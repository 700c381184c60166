package io.rocksraft.server.api.rest;

import io.rocksraft.api.v1.Member;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.server.api.MemberStatuses;
import io.rocksraft.server.api.Membership;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.raft.RaftNode;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
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

  /** A new member: its id, Raft (peer) address and gRPC address. */
  public record MemberBody(@Text String id, @Text String raftAddress, @Text String clientAddress) {}

  private final RaftNode node;
  private final Membership membership;
  private final MemberStatuses memberStatuses;
  private final long timeoutMs;

  public ClusterResource(RaftNode node, Membership membership, MemberStatuses memberStatuses, long timeoutMs) {
    this.node = node;
    this.membership = membership;
    this.memberStatuses = memberStatuses;
    this.timeoutMs = timeoutMs;
  }

  /** The members (the Raft configuration) with their addresses, and the leader as this node knows it. */
  @GET
  @Path("members")
  public Map<String, Object> members() {
    StatusResponse s = node.status();
    return Map.of("members", members(s.getMembersList()), "leader", s.getLeaderId());
  }

  /**
   * Adds a member online: the new node must already run with {@code join: true}. Answers 201
   * once it has caught up and the new configuration is committed.
   */
  @POST
  @Path("members")
  @Consumes(MediaType.APPLICATION_JSON)
  public CompletionStage<Response> addMember(MemberBody body, @Context ContainerRequestContext request) {
    RestCallers.caller(request).requireAdmin("a member add");
    if (body == null) {
      throw KvException.invalid("body must be {\"id\", \"raftAddress\", \"clientAddress\"}");
    }
    Member member = Member.newBuilder().setId(nullToEmpty(body.id())).setRaftAddress(nullToEmpty(body.raftAddress()))
        .setClientAddress(nullToEmpty(body.clientAddress())).build();
    return Json.answer(membership.add(member).thenApply(after ->
        Response.created(URI.create("/v1/cluster/members/" + member.getId()))
            .entity(Map.of("members", members(after))).build()), membership.timeoutMs());
  }

  /** Removes a member online; 409 when the members left that answer would not be a majority. */
  @DELETE
  @Path("members/{id}")
  public CompletionStage<Map<String, Object>> removeMember(@PathParam("id") String id,
                                                           @Context ContainerRequestContext request) {
    RestCallers.caller(request).requireAdmin("a member remove");
    return Json.answer(membership.remove(id).thenApply(after -> Map.<String, Object>of("members", members(after))),
        membership.timeoutMs());
  }

  private static List<Map<String, Object>> members(List<Member> members) {
    return members.stream().<Map<String, Object>>map(m -> Map.of("id", m.getId(),
        "raftAddress", m.getRaftAddress(), "grpcAddress", m.getClientAddress())).toList();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  /** Hands leadership to {@code id} (or any other member); answers once it leads. */
  @POST
  @Path("leader")
  @Consumes(MediaType.APPLICATION_JSON)
  public CompletionStage<Map<String, Object>> transferLeader(LeaderBody body, @Context ContainerRequestContext request) {
    RestCallers.caller(request).requireAdmin("a leader transfer");
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
