package io.rocksraft.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

class SecurityConfigTest {
  private static final String HASH = "a".repeat(64);
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private NodeConfig node(String security) throws Exception {
    return yaml.readValue("security:\n" + security.indent(2), NodeConfig.class);
  }

  @Test
  void offByDefault() {
    NodeConfig c = NodeConfig.defaults().validate();
    assertThat(c.security().tls().enabled()).isFalse();
    assertThat(c.security().auth().enabled()).isFalse();
    assertThat(c.security().clientLimits().maxInFlight()).isEqualTo(1024);
    assertThat(c.security().clientLimits().requestsPerSecond()).isZero();
    assertThat(c.security().clientLimits().maxWatches()).isEqualTo(1000);
  }

  @Test
  void aFullBlockIsValid() throws Exception {
    NodeConfig c = node("""
        tls: {certFile: n.crt, keyFile: n.key, caFile: ca.crt, clientAuth: optional}
        auth:
          enabled: true
          users: [{name: app, tokenSha256: %s, roles: [app]}, {name: ops, roles: [admin]}]
          roles: [{name: app, read: ["app/"], write: ["app/"]}, {name: admin, admin: true}]
        clientLimits: {maxInFlight: 64, requestsPerSecond: 100, maxWatches: 10}
        """.formatted(HASH)).validate();
    assertThat(c.security().tls().reloadSeconds()).isEqualTo(10);
    assertThat(c.security().auth().users()).hasSize(2);
    assertThat(c.security().auth().roles().get(0).admin()).isFalse();
  }

  @Test
  void everyProblemIsNamed() throws Exception {
    NodeConfig c = node("""
        tls: {certFile: n.crt, clientAuth: sometimes, reloadSeconds: 0}
        auth:
          enabled: true
          users:
            - {name: a, tokenSha256: %1$s, roles: [nope]}
            - {name: a, tokenSha256: %1$s}
            - {name: b, tokenSha256: ABC}
          roles: [{name: r}, {name: r}]
        clientLimits: {maxInFlight: 0}
        """.formatted(HASH));
    assertThatThrownBy(c::validate).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("security.tls needs all of certFile, keyFile and caFile")
        .hasMessageContaining("clientAuth must be one of [none, optional, require], not 'sometimes'")
        .hasMessageContaining("reloadSeconds must be at least 1")
        .hasMessageContaining("no role named 'nope'")
        .hasMessageContaining("every user needs a name of its own (got 'a')")
        .hasMessageContaining("every role needs a name of its own (got 'r')")
        .hasMessageContaining("tokenSha256 must be 64 lower-case hex digits")
        .hasMessageContaining("no role has admin: true")
        .hasMessageContaining("security.clientLimits");
  }

  @Test
  void authNeedsTlsAndCertificateUsersNeedClientCertificates() throws Exception {
    assertThatThrownBy(node("""
        auth: {enabled: true, users: [{name: ops, tokenSha256: %s, roles: [admin]}], roles: [{name: admin, admin: true}]}
        """.formatted(HASH))::validate).hasMessageContaining("security.auth needs security.tls");
    assertThatThrownBy(node("""
        tls: {certFile: n.crt, keyFile: n.key, caFile: ca.crt}
        auth: {enabled: true, users: [{name: ops, roles: [admin]}], roles: [{name: admin, admin: true}]}
        """)::validate).hasMessageContaining("clientAuth must be optional or require");
  }
}
