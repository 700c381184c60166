package io.rocksraft.raftlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineEntryProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogDataApiTest {
  @TempDir Path dir;

  private static LogEntryProto entry(long index, String data) {
    return LogEntryProto.newBuilder().setTerm(1).setIndex(index)
        .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
            .setStateMachineEntry(StateMachineEntryProto.newBuilder()
                .setStateMachineData(ByteString.copyFromUtf8(data))))
        .build();
  }

  /** The entry as Ratis keeps it in its segment: header only, payload stripped. */
  private static LogEntryProto header(long index) {
    return LogEntryProto.newBuilder().setTerm(1).setIndex(index)
        .setStateMachineLogEntry(StateMachineLogEntryProto.getDefaultInstance()).build();
  }

  @Test
  void writeThenReadServesAPayloadToALaggingFollower() throws Exception {
    try (TestDb t = new TestDb(dir)) {
      LogDataApi api = new LogDataApi(t.store);
      api.write(entry(1, "a"), null).get();
      api.write(entry(2, "b"), null).get();
      api.flush(2).get();
      assertThat(api.read(header(2), null).get().toStringUtf8()).isEqualTo("b");
    }
  }

  @Test
  void readOfATruncatedEntryFailsWithItsIndex() throws Exception {
    try (TestDb t = new TestDb(dir)) {
      LogDataApi api = new LogDataApi(t.store);
      api.write(entry(1, "a"), null).get();
      api.write(entry(2, "b"), null).get();
      api.truncate(2).get();
      assertThatThrownBy(() -> api.read(header(2), null).get()).hasMessageContaining("log index 2");
      assertThat(api.read(header(1), null).get().toStringUtf8()).isEqualTo("a");
    }
  }
}
