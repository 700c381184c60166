package io.rocksraft.client.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.protobuf.ByteString;
import io.rocksraft.api.v1.Compare;
import io.rocksraft.api.v1.DeleteRangeRequest;
import io.rocksraft.api.v1.DeleteRequest;
import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.HashResponse;
import io.rocksraft.api.v1.KeyValue;
import io.rocksraft.api.v1.Member;
import io.rocksraft.api.v1.MemberListResponse;
import io.rocksraft.api.v1.PutRequest;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.RangeResponse;
import io.rocksraft.api.v1.ReadOptions;
import io.rocksraft.api.v1.Consistency;
import io.rocksraft.api.v1.SnapshotResponse;
import io.rocksraft.api.v1.StatusResponse;
import io.rocksraft.api.v1.TxnOp;
import io.rocksraft.api.v1.TxnOpResult;
import io.rocksraft.api.v1.TxnRequest;
import io.rocksraft.api.v1.TxnResponse;
import io.rocksraft.client.KvClient;
import io.rocksraft.client.KvClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kvctl}: the command line over the Java client. Keys and values are UTF-8 text. */
@Command(name = "kvctl", mixinStandardHelpOptions = true,
    description = "Talks to a rocksraft cluster.",
    subcommands = {KvCtl.Get.class, KvCtl.Put.class, KvCtl.Del.class, KvCtl.Scan.class, KvCtl.Txn.class,
        KvCtl.Status.class, KvCtl.Check.class, KvCtl.Leader.class, KvCtl.Members.class, KvCtl.Snapshot.class})
public final class KvCtl {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static void main(String[] args) {
    System.exit(run(args));
  }

  public static int run(String... args) {
    CommandLine cl = new CommandLine(new KvCtl());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof KvClientException k) {
        cmd.getErr().println("error: " + k.code() + ": " + k.getMessage());
        return 2;
      }
      if (e instanceof IllegalArgumentException) {
        cmd.getErr().println("error: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cl.execute(args);
  }

  /** Options every sub-command takes. */
  static final class Common {
    @Option(names = "--endpoints", split = ",", defaultValue = "127.0.0.1:9001,127.0.0.1:9002,127.0.0.1:9003",
        description = "gRPC addresses, comma separated (default: ${DEFAULT-VALUE})")
    List<String> endpoints;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Option(names = "--timeout", defaultValue = "10s", description = "deadline per command, e.g. 500ms, 10s (default ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--tls", description = "connect over TLS, trusting the JVM's default CAs unless --cacert is given")
    boolean tls;

    @Option(names = "--cacert", paramLabel = "FILE", defaultValue = "${env:ROCKSRAFT_CACERT}",
        description = "connect over TLS, trusting this PEM CA bundle (default: $ROCKSRAFT_CACERT)")
    Path caCert;

    @Option(names = "--cert", paramLabel = "FILE", defaultValue = "${env:ROCKSRAFT_CERT}",
        description = "present this PEM client certificate (mutual TLS); needs --key (default: $ROCKSRAFT_CERT)")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", defaultValue = "${env:ROCKSRAFT_KEY}",
        description = "the PKCS#8 PEM key of --cert (default: $ROCKSRAFT_KEY)")
    Path key;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:ROCKSRAFT_TOKEN}",
        description = "bearer token for clusters with authentication (default: $ROCKSRAFT_TOKEN); needs TLS")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE", description = "read the bearer token from this file")
    Path tokenFile;

    @Spec
    CommandLine.Model.CommandSpec spec;

    KvClient client() throws IOException {
      KvClient.Builder b = KvClient.builder().endpoints(endpoints).timeout(parseDuration(timeout));
      if ((cert == null) != (key == null)) {
        throw new IllegalArgumentException("--cert and --key go together");
      }
      if (tls || caCert != null) {
        b.tls(caCert);
      }
      if (cert != null) {
        b.clientCertificate(cert, key);
      }
      if (tokenFile != null) {
        b.token(Files.readString(tokenFile).strip());
      } else if (token != null && !token.isEmpty()) {
        b.token(token);
      }
      return b.build();
    }

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    void print(Object json, String text) throws Exception {
      out().println(this.json ? JSON.writeValueAsString(json) : text);
    }

    /** Runs {@code action} with a client; exit status 0 unless it throws. */
    int run(ClientAction action) throws Exception {
      try (KvClient kv = client()) {
        action.run(kv);
        return 0;
      }
    }
  }

  interface ClientAction {
    void run(KvClient kv) throws Exception;
  }

  static Duration parseDuration(String s) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m)").matcher(s.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("duration '" + s + "' is not like 500ms, 10s or 2m");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
  }

  static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  static Map<String, Object> json(KeyValue kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", kv.getKey().toStringUtf8());
    m.put("value", kv.getValue().toStringUtf8());
    m.put("createRevision", kv.getCreateRevision());
    m.put("modRevision", kv.getModRevision());
    m.put("version", kv.getVersion());
    return m;
  }

  @Command(name = "get", description = "Prints a key's value.")
  static final class Get implements Callable<Integer> {
    @Mixin Common common;
    @Parameters(index = "0", description = "key") String key;
    @Option(names = "--consistency", defaultValue = "linearizable",
        description = "linearizable (default) or follower") String consistency;

    @Override
    public Integer call() throws Exception {
      Consistency c = switch (consistency) {
        case "linearizable" -> Consistency.LINEARIZABLE;
        case "follower" -> Consistency.FOLLOWER;
        default -> throw new IllegalArgumentException("consistency must be linearizable or follower");
      };
      try (KvClient kv = common.client()) {
        var r = kv.get(GetRequest.newBuilder().setKey(bytes(key))
            .setRead(ReadOptions.newBuilder().setConsistency(c)).build());
        if (!r.getFound()) {
          common.print(Map.of("key", key, "found", false), "(not found)");
          return 1;
        }
        common.print(json(r.getKv()), r.getKv().getValue().toStringUtf8());
        return 0;
      }
    }
  }

  @Command(name = "put", description = "Sets a key's value.")
  static final class Put implements Callable<Integer> {
    @Mixin Common common;
    @Parameters(index = "0", description = "key") String key;
    @Parameters(index = "1", description = "value") String value;

    @Override
    public Integer call() throws Exception {
      try (KvClient kv = common.client()) {
        var r = kv.put(PutRequest.newBuilder().setKey(bytes(key)).setValue(bytes(value)).build());
        common.print(Map.of("revision", r.getHeader().getRevision()), "OK (revision " + r.getHeader().getRevision() + ")");
        return 0;
      }
    }
  }

  @Command(name = "del", description = "Deletes a key, or every key with a prefix.")
  static final class Del implements Callable<Integer> {
    @Mixin Common common;
    @Parameters(index = "0", description = "key (or prefix with --prefix)") String key;
    @Option(names = "--prefix", description = "delete every key starting with KEY") boolean prefix;

    @Override
    public Integer call() throws Exception {
      try (KvClient kv = common.client()) {
        long deleted = prefix
            ? kv.deleteRange(DeleteRangeRequest.newBuilder().setPrefix(bytes(key)).build()).getDeleted()
            : kv.delete(bytes(key)).getDeleted();
        common.print(Map.of("deleted", deleted), deleted + " deleted");
        return 0;
      }
    }
  }

  @Command(name = "scan", description = "Lists keys in a range or with a prefix, page by page.")
  static final class Scan implements Callable<Integer> {
    @Mixin Common common;
    @Option(names = "--prefix", defaultValue = "", description = "keys starting with this") String prefix;
    @Option(names = "--start", defaultValue = "", description = "first key (inclusive)") String start;
    @Option(names = "--end", defaultValue = "", description = "last key (exclusive)") String end;
    @Option(names = "--limit", defaultValue = "0", description = "at most this many keys (0: all)") int limit;
    @Option(names = "--keys-only", description = "print keys only") boolean keysOnly;

    @Override
    public Integer call() throws Exception {
      if (limit < 0) {
        throw new IllegalArgumentException("--limit must be 0 or more");
      }
      List<Object> rows = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      try (KvClient kv = common.client()) {
        RangeRequest.Builder req = RangeRequest.newBuilder().setPrefix(bytes(prefix)).setStart(bytes(start))
            .setEnd(bytes(end)).setKeysOnly(keysOnly);
        int left = limit == 0 ? Integer.MAX_VALUE : limit;
        while (left > 0) {
          RangeResponse page = kv.range(req.setLimit(limit == 0 ? 0 : left).build());
          for (KeyValue e : page.getKvsList()) {
            rows.add(json(e));
            text.append(e.getKey().toStringUtf8());
            if (!keysOnly) {
              text.append('\t').append(e.getValue().toStringUtf8());
            }
            text.append('\n');
          }
          left -= page.getKvsCount();
          if (!page.getMore()) {
            break;
          }
          req.setStart(page.getNextStart());
        }
      }
      if (common.json) {
        common.print(rows, null);
      } else {
        common.out().print(text);
        common.out().flush();
      }
      return 0;
    }
  }

  @Command(name = "txn", description = {
      "Runs a transaction: if every --if holds, the --then operations, otherwise the --else ones.",
      "Compare: 'KEY value = TEXT', 'KEY version > 3', 'KEY mod = 7', 'KEY create != 0' (= != > <).",
      "Operation: 'put KEY VALUE', 'del KEY', 'get KEY'."})
  static final class Txn implements Callable<Integer> {
    @Mixin Common common;
    @Option(names = "--if", description = "a compare") List<String> compares = new ArrayList<>();
    @Option(names = "--then", description = "an operation when all compares hold") List<String> success = new ArrayList<>();
    @Option(names = "--else", description = "an operation otherwise") List<String> failure = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      TxnRequest.Builder txn = TxnRequest.newBuilder();
      compares.forEach(c -> txn.addCompares(compare(c)));
      success.forEach(o -> txn.addSuccess(op(o)));
      failure.forEach(o -> txn.addFailure(op(o)));
      try (KvClient kv = common.client()) {
        TxnResponse r = kv.txn(txn.build());
        List<Object> results = new ArrayList<>();
        StringBuilder text = new StringBuilder(r.getSucceeded() ? "SUCCEEDED" : "FAILED");
        for (TxnOpResult res : r.getResultsList()) {
          if (res.hasGet()) {
            results.add(res.getGet().getFound() ? json(res.getGet().getKv()) : Map.of("found", false));
            text.append('\n').append(res.getGet().getFound() ? res.getGet().getKv().getValue().toStringUtf8() : "(not found)");
          }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("succeeded", r.getSucceeded());
        out.put("revision", r.getHeader().getRevision());
        out.put("results", results);
        common.print(out, text.toString());
        return 0;
      }
    }

    static Compare compare(String spec) {
      Matcher m = Pattern.compile("(\\S+)\\s+(value|version|mod|create)\\s*(=|!=|>|<)\\s*(.*)").matcher(spec.trim());
      if (!m.matches()) {
        throw new IllegalArgumentException("compare '" + spec + "' is not 'KEY value|version|mod|create =|!=|>|< OPERAND'");
      }
      Compare.Builder c = Compare.newBuilder().setKey(bytes(m.group(1)));
      c.setResult(switch (m.group(3)) {
        case "=" -> Compare.Result.EQUAL;
        case "!=" -> Compare.Result.NOT_EQUAL;
        case ">" -> Compare.Result.GREATER;
        default -> Compare.Result.LESS;
      });
      switch (m.group(2)) {
        case "value" -> c.setTarget(Compare.Target.VALUE).setValue(bytes(m.group(4)));
        case "version" -> c.setTarget(Compare.Target.VERSION).setNumber(number(m.group(4), spec));
        case "mod" -> c.setTarget(Compare.Target.MOD_REVISION).setNumber(number(m.group(4), spec));
        default -> c.setTarget(Compare.Target.CREATE_REVISION).setNumber(number(m.group(4), spec));
      }
      return c.build();
    }

    private static long number(String s, String spec) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("compare '" + spec + "' needs a number operand");
      }
    }

    static TxnOp op(String spec) {
      String[] parts = spec.trim().split("\\s+", 3);
      return switch (parts[0]) {
        case "put" -> {
          if (parts.length != 3) {
            throw new IllegalArgumentException("operation '" + spec + "' is not 'put KEY VALUE'");
          }
          yield TxnOp.newBuilder().setPut(PutRequest.newBuilder().setKey(bytes(parts[1])).setValue(bytes(parts[2]))).build();
        }
        case "del" -> {
          if (parts.length != 2) {
            throw new IllegalArgumentException("operation '" + spec + "' is not 'del KEY'");
          }
          yield TxnOp.newBuilder().setDelete(DeleteRequest.newBuilder().setKey(bytes(parts[1]))).build();
        }
        case "get" -> {
          if (parts.length != 2) {
            throw new IllegalArgumentException("operation '" + spec + "' is not 'get KEY'");
          }
          yield TxnOp.newBuilder().setGet(GetRequest.newBuilder().setKey(bytes(parts[1]))).build();
        }
        default -> throw new IllegalArgumentException("operation '" + spec + "' is not put, del or get");
      };
    }
  }

  @Command(name = "leader", description = "Leadership.", subcommands = {LeaderTransfer.class})
  static final class Leader {}

  @Command(name = "transfer", description = "Hands leadership to another member and waits until it leads.")
  static final class LeaderTransfer implements Callable<Integer> {
    @Mixin Common common;

    @Option(names = "--to", description = "the member to lead (default: any other member)")
    String to = "";

    @Override
    public Integer call() throws Exception {
      return common.run(kv -> {
        String leader = kv.transferLeadership(to);
        common.print(Map.of("leader", leader), "leader is now " + leader);
      });
    }
  }

  @Command(name = "member", description = "Group membership: list, add and remove members online.",
      subcommands = {MemberList.class, MemberAdd.class, MemberRemove.class})
  static final class Members {}

  static void printMembers(Common common, List<Member> members, String leader) throws Exception {
    List<Object> json = new ArrayList<>();
    StringBuilder text = new StringBuilder(String.format("%-8s %-22s %-22s%n", "ID", "RAFT", "GRPC"));
    for (Member m : members) {
      json.add(Map.of("id", m.getId(), "raftAddress", m.getRaftAddress(), "grpcAddress", m.getClientAddress()));
      text.append(String.format("%-8s %-22s %-22s%s%n", m.getId(), m.getRaftAddress(), m.getClientAddress(),
          m.getId().equals(leader) ? "  (leader)" : ""));
    }
    common.print(Map.of("members", json, "leader", leader), text.toString().stripTrailing());
  }

  @Command(name = "list", description = "Lists the members with their Raft and gRPC addresses.")
  static final class MemberList implements Callable<Integer> {
    @Mixin Common common;

    @Override
    public Integer call() throws Exception {
      return common.run(kv -> {
        MemberListResponse r = kv.memberList();
        printMembers(common, r.getMembersList(), r.getLeaderId());
      });
    }
  }

  @Command(name = "add", description = {"Adds a member online and waits until it has caught up.",
      "Start the new node first, with `join: true` in its node block."})
  static final class MemberAdd implements Callable<Integer> {
    @Mixin Common common;

    @Parameters(index = "0", description = "the new member's id")
    String id;

    @Option(names = "--raft-address", required = true, description = "its Raft (peer) address, host:port")
    String raftAddress;

    @Option(names = "--client-address", required = true, description = "its gRPC address, host:port")
    String clientAddress;

    @Override
    public Integer call() throws Exception {
      return common.run(kv -> printMembers(common, kv.memberAdd(Member.newBuilder().setId(id)
          .setRaftAddress(raftAddress).setClientAddress(clientAddress).build()), ""));
    }
  }

  @Command(name = "remove", description = {"Removes a member online.",
      "Refused when the members left that answer would not be a majority."})
  static final class MemberRemove implements Callable<Integer> {
    @Mixin Common common;

    @Parameters(index = "0", description = "the member's id")
    String id;

    @Override
    public Integer call() throws Exception {
      return common.run(kv -> printMembers(common, kv.memberRemove(id), ""));
    }
  }

  @Command(name = "status", description = "Prints each node's view of the group.")
  static final class Status implements Callable<Integer> {
    @Mixin Common common;

    @Override
    public Integer call() throws Exception {
      try (KvClient kv = common.client()) {
        List<StatusResponse> all = kv.statusAll();
        List<Object> nodes = new ArrayList<>();
        StringBuilder text = new StringBuilder(String.format("%-8s %-10s %6s %8s %10s %10s%n",
            "ID", "ROLE", "TERM", "LEADER", "COMMIT", "APPLIED"));
        for (StatusResponse s : all) {
          Map<String, Object> n = new LinkedHashMap<>();
          n.put("id", s.getMemberId());
          n.put("role", s.getRole());
          n.put("term", s.getTerm());
          n.put("leader", s.getLeaderId());
          n.put("commitIndex", s.getCommitIndex());
          n.put("appliedIndex", s.getAppliedIndex());
          n.put("revision", s.getRevision());
          nodes.add(n);
          text.append(String.format("%-8s %-10s %6d %8s %10d %10d%n", s.getMemberId(), s.getRole(), s.getTerm(),
              s.getLeaderId(), s.getCommitIndex(), s.getAppliedIndex()));
        }
        common.print(Map.of("nodes", nodes), text.toString().stripTrailing());
        return all.size() == kv.endpoints().size() ? 0 : 1;
      }
    }
  }

  @Command(name = "check", description = "Hashes the logical state of every replica at one log index and compares.")
  static final class Check implements Callable<Integer> {
    @Mixin Common common;

    @Override
    public Integer call() throws Exception {
      try (KvClient kv = common.client()) {
        List<HashResponse> hashes = kv.check();
        boolean agree = hashes.stream().map(HashResponse::getHash).distinct().count() == 1;
        List<Object> rows = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (HashResponse h : hashes) {
          rows.add(Map.of("id", h.getMemberId(), "index", h.getIndex(), "hash", h.getHash(), "keys", h.getKeys(),
              "revision", h.getRevision()));
          text.append(String.format("%-8s index %d  keys %d  revision %d  %s%n", h.getMemberId(), h.getIndex(),
              h.getKeys(), h.getRevision(), h.getHash()));
        }
        text.append(agree ? "replicas agree" : "REPLICAS DIVERGE");
        common.print(Map.of("agree", agree, "replicas", rows), text.toString());
        return agree ? 0 : 3;
      }
    }
  }

  @Command(name = "snapshot", description = "Has each node take a snapshot of its state now and purge its log below it.")
  static final class Snapshot implements Callable<Integer> {
    @Mixin Common common;

    @Override
    public Integer call() throws Exception {
      try (KvClient kv = common.client()) {
        List<SnapshotResponse> taken = kv.snapshot();
        common.print(Map.of("snapshots", taken.stream()
                .map(r -> Map.of("id", r.getMemberId(), "index", r.getIndex(), "term", r.getTerm())).toList()),
            taken.stream().map(r -> String.format("%-8s snapshot at index %d, term %d", r.getMemberId(), r.getIndex(),
                r.getTerm())).collect(Collectors.joining("\n")));
        return 0;
      }
    }
  }
}
