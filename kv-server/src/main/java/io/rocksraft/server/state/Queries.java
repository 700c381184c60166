package io.rocksraft.server.state;

import io.rocksraft.api.v1.GetRequest;
import io.rocksraft.api.v1.GetResponse;
import io.rocksraft.api.v1.RangeRequest;
import io.rocksraft.api.v1.RangeResponse;
import io.rocksraft.api.v1.ResponseHeader;
import io.rocksraft.server.internal.Query;
import io.rocksraft.server.internal.QueryResult;
import java.util.function.Supplier;
import org.rocksdb.ReadOptions;

/** Reads of the committed state, answered by any replica. */
final class Queries {
  private final CurrentStore store;
  private final String memberId;
  private final int maxRangeLimit;
  private final Supplier<AppliedState> applied;
  private final Supplier<String> leader;
  private final ReadOptions readOptions = new ReadOptions();

  Queries(CurrentStore store, String memberId, int maxRangeLimit, Supplier<AppliedState> applied,
          Supplier<String> leader) {
    this.store = store;
    this.memberId = memberId;
    this.maxRangeLimit = maxRangeLimit;
    this.applied = applied;
    this.leader = leader;
  }

  static int effectiveLimit(int requested, int max) {
    return requested <= 0 ? max : Math.min(requested, max);
  }

  QueryResult execute(Query query) {
    // Read before the data: the header never claims more than the data reflects.
    AppliedState state = applied.get();
    ResponseHeader header = ResponseHeader.newBuilder()
        .setRevision(state.revision()).setRaftTerm(state.term()).setRaftIndex(state.index())
        .setMemberId(memberId).setLeaderId(leader.get()).build();
    return store.read(s -> {
      KvView kv = new KvView(s.db(), s.kv(), null, readOptions);
      return switch (query.getQCase()) {
        case GET -> QueryResult.newBuilder().setGet(get(kv, query.getGet(), header)).build();
        case RANGE -> QueryResult.newBuilder().setRange(range(kv, query.getRange(), header)).build();
        default -> throw new IllegalArgumentException("empty query");
      };
    });
  }

  private GetResponse get(KvView kv, GetRequest req, ResponseHeader header) {
    byte[] key = req.getKey().toByteArray();
    StoredValue v = kv.get(key);
    GetResponse.Builder out = GetResponse.newBuilder().setHeader(header).setFound(v != null);
    if (v != null) {
      out.setKv(v.toKeyValue(key, false));
    }
    return out.build();
  }

  private RangeResponse range(KvView kv, RangeRequest req, ResponseHeader header) {
    KeyRange range = KeyRange.of(req.getStart(), req.getEnd(), req.getPrefix());
    return kv.range(range, effectiveLimit(req.getLimit(), maxRangeLimit), req.getKeysOnly())
        .setHeader(header).build();
  }
}
