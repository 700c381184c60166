package io.rocksraft.server.security;

import io.rocksraft.server.config.NodeConfig;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Finds the user of a request: by its bearer token ({@code Authorization: Bearer ...}), else by
 * its client certificate's common name. The TLS layer has already checked that the CA signed
 * the certificate; tokens are compared by their SHA-256, so the configuration holds no token.
 */
public final class Authenticator {
  private final boolean enabled;
  private final Map<String, Caller> byTokenHash;
  private final Map<String, Caller> byName;

  public Authenticator(NodeConfig.Auth auth) {
    this.enabled = auth.enabled();
    Map<String, NodeConfig.Role> roles = auth.roles().stream()
        .collect(Collectors.toMap(NodeConfig.Role::name, Function.identity()));
    this.byName = auth.users().stream()
        .collect(Collectors.toMap(NodeConfig.User::name, u -> Caller.of(u, roles)));
    this.byTokenHash = auth.users().stream().filter(u -> u.tokenSha256() != null)
        .collect(Collectors.toMap(NodeConfig.User::tokenSha256, u -> byName.get(u.name())));
  }

  public boolean enabled() {
    return enabled;
  }

  /**
   * The caller of a request with this {@code Authorization} header value (or null) and this
   * verified client certificate chain (or null).
   *
   * @throws KvException UNAUTHENTICATED when neither names a user
   */
  public Caller authenticate(String authorization, X509Certificate[] clientChain) {
    if (!enabled) {
      return Caller.UNRESTRICTED;
    }
    if (authorization != null) {
      if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() == 7) {
        throw unauthenticated("the Authorization header must be 'Bearer <token>'");
      }
      Caller c = byTokenHash.get(sha256(authorization.substring(7).trim()));
      if (c == null) {
        throw unauthenticated("the bearer token is not one of this cluster's");
      }
      return c;
    }
    if (clientChain != null && clientChain.length > 0) {
      String cn = commonName(clientChain[0]).orElseThrow(() ->
          unauthenticated("the client certificate's subject has no common name"));
      Caller c = byName.get(cn);
      if (c == null) {
        throw unauthenticated("no user is named '" + cn + "', the client certificate's common name");
      }
      return c;
    }
    throw unauthenticated("this cluster wants a bearer token or a client certificate");
  }

  private static KvException unauthenticated(String why) {
    return new KvException(ErrorKind.UNAUTHENTICATED, why);
  }

  /** The lower-case hex SHA-256 of a token's UTF-8 bytes: what {@code tokenSha256} holds. */
  public static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  static Optional<String> commonName(X509Certificate cert) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return Optional.of(String.valueOf(rdn.getValue()));
        }
      }
      return Optional.empty();
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
  }
}
