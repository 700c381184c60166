package io.rocksraft.jepsen.checker;

import com.fasterxml.jackson.databind.JsonNode;
import io.rocksraft.jepsen.history.History;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code bank} workload: {@code transfer}s between accounts (each a transaction) and
 * {@code read}s of every account at once (value: account to balance). Every successful read must
 * show the same total as the start and no negative balance: a multi-key invariant only atomic,
 * isolated transactions keep.
 */
public final class BankChecker {
  public static final String NAME = "bank";

  private final int accounts;
  private final long total;

  public BankChecker(int accounts, long total) {
    this.accounts = accounts;
    this.total = total;
  }

  public CheckResult check(History history) {
    int reads = 0;
    int transfers = 0;
    List<String> wrong = new ArrayList<>();
    for (History.Pair p : history.pairs()) {
      if (p.invoke().f().equals("transfer") && p.ok()) {
        transfers++;
      }
      if (!p.invoke().f().equals("read") || !p.ok()) {
        continue;
      }
      reads++;
      JsonNode balances = p.completion().value();
      long sum = 0;
      boolean negative = false;
      for (JsonNode b : balances) {
        sum += b.asLong();
        negative |= b.asLong() < 0;
      }
      if (sum != total || negative || balances.size() != accounts) {
        wrong.add("read by process " + p.invoke().process() + " at " + p.completion().time() + " ns: " + balances
            + " (total " + sum + ")");
      }
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("reads", reads);
    details.put("transfers", transfers);
    details.put("wrong", wrong.size() > 20 ? wrong.subList(0, 20) : wrong);
    details.put("wrongCount", wrong.size());
    if (reads == 0) {
      return new CheckResult(NAME, Verdict.UNKNOWN, "no read succeeded", details);
    }
    return wrong.isEmpty()
        ? new CheckResult(NAME, Verdict.VALID, reads + " reads all total " + total + " over " + accounts
            + " accounts, after " + transfers + " transfers", details)
        : new CheckResult(NAME, Verdict.INVALID, wrong.size() + " of " + reads + " reads break the invariant "
            + "(total " + total + ", none negative)", details);
  }
}
