package io.rocksraft.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.rocksraft.server.config.NodeConfig;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.state.KeyRange;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallerTest {
  private static final ByteString E = ByteString.EMPTY;

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static Caller caller(List<String> read, List<String> write, boolean admin) {
    NodeConfig.Role role = new NodeConfig.Role("r", read, write, admin);
    return Caller.of(new NodeConfig.User("u", null, List.of("r")), Map.of("r", role));
  }

  @Test
  void aRangeIsGrantedWhenOnePrefixCoversAllOfIt() {
    Caller c = caller(List.of("a/", "b/"), List.of(), false);
    c.requireRead(b("a/x"));
    c.requireRead(KeyRange.of(E, E, b("a/")));
    c.requireRead(KeyRange.of(E, E, b("a/sub/")));
    c.requireRead(KeyRange.of(b("a/k"), b("a/z"), E));
    c.requireRead(KeyRange.of(b("a/"), b("a0"), E)); // a0 is the end of the prefix a/
    for (KeyRange outside : List.of(KeyRange.of(b("a/"), b("a1"), E), KeyRange.of(b("a"), b("a/z"), E),
        KeyRange.of(b("a/"), E, E), KeyRange.of(E, E, b("a")), KeyRange.of(b("a/"), b("b/z"), E))) {
      assertThatThrownBy(() -> c.requireRead(outside)).isInstanceOf(KvException.class)
          .satisfies(e -> assertThat(((KvException) e).kind()).isEqualTo(ErrorKind.PERMISSION_DENIED));
    }
    assertThatThrownBy(() -> c.requireRead(b("c/x"))).hasMessageContaining("user 'u': no role grants reading key 'c/x'");
    assertThatThrownBy(() -> c.requireWrite(b("a/x"))).hasMessageContaining("writing key 'a/x'");
    assertThatThrownBy(() -> c.requireAdmin("a snapshot")).hasMessageContaining("a snapshot needs a role with admin");
  }

  @Test
  void theEmptyPrefixIsEveryKey() {
    Caller c = caller(List.of(""), List.of(""), true);
    c.requireRead(KeyRange.of(E, E, E));
    c.requireWrite(KeyRange.of(b("\u00ff"), E, E));
    c.requireAdmin("anything");
    Caller.UNRESTRICTED.requireWrite(KeyRange.of(E, E, E));
    Caller.UNRESTRICTED.requireAdmin("anything");
  }
}
