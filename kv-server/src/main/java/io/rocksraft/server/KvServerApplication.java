package io.rocksraft.server;

import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.server.AbstractServerFactory;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import io.rocksraft.server.api.KvOperations;
import io.rocksraft.server.api.MemberStatuses;
import io.rocksraft.server.api.Membership;
import io.rocksraft.server.api.RequestValidator;
import io.rocksraft.server.api.Watches;
import io.rocksraft.server.api.grpc.GrpcServer;
import io.rocksraft.server.api.rest.ClusterResource;
import io.rocksraft.server.api.rest.KvResource;
import io.rocksraft.server.api.rest.ProblemErrorHandler;
import io.rocksraft.server.api.rest.ProblemMappers;
import io.rocksraft.server.api.rest.TxnResource;
import io.rocksraft.server.api.rest.WatchResource;
import io.rocksraft.server.api.rest.RequestBodyLimit;
import io.rocksraft.server.api.rest.RestCallers;
import io.rocksraft.server.config.KvServerConfiguration;
import io.rocksraft.server.config.NodeConfig;
import io.rocksraft.server.ops.AdminEndpoints;
import io.rocksraft.server.ops.RequestMetrics;
import io.rocksraft.server.raft.CommonPool;
import io.rocksraft.server.raft.RaftNode;
import io.rocksraft.server.security.AdminPortFilter;
import io.rocksraft.server.security.Authenticator;
import io.rocksraft.server.security.ClientLimiter;
import io.rocksraft.server.security.NodeTls;
import io.rocksraft.server.security.TlsConnectorFactory;
import jakarta.servlet.DispatcherType;
import java.nio.file.Files;
import java.util.EnumSet;
import java.util.Optional;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.component.LifeCycle;

/**
 * The node process: a Dropwizard application whose managed objects are the Raft member (with
 * its RocksDB) and the gRPC server, beside the REST API and the admin port Dropwizard serves.
 * Start order: Raft, then gRPC; stop order the reverse, so RocksDB closes last and synced.
 * The admin port adds the health checks and metrics of {@code ops}.
 */
public final class KvServerApplication extends Application<KvServerConfiguration> {
  public static void main(String[] args) throws Exception {
    CommonPool.ensureParallelism();
    new KvServerApplication().run(args);
  }

  @Override
  public String getName() {
    return "rocksraft";
  }

  @Override
  public void initialize(Bootstrap<KvServerConfiguration> bootstrap) {
    // Unknown keys in the YAML are errors, as everywhere in the file.
  }

  @Override
  public void run(KvServerConfiguration configuration, Environment environment) throws Exception {
    if (configuration.getServerFactory() instanceof AbstractServerFactory server) {
      // Ours answer every failure as problem+json; Dropwizard's would answer {"code", "message"}.
      server.setRegisterDefaultExceptionMappers(false);
    }
    NodeConfig node = configuration.getNode().validate();
    Files.createDirectories(node.dataDir());
    Optional<NodeTls> tls = NodeTls.open(node.security().tls());
    tls.ifPresent(t -> {
      TlsConnectorFactory.apply(configuration.getServerFactory(), t);
      environment.lifecycle().manage(new Managed() {
        @Override
        public void stop() {
          t.close();
        }
      });
    });
    RaftNode raft = new RaftNode(node, environment.metrics(), tls.map(NodeTls::ratis).orElse(null));
    RequestValidator validator = new RequestValidator(node.limits());
    KvOperations ops = new KvOperations(raft, validator, new RequestMetrics(environment.metrics()));
    Authenticator authenticator = new Authenticator(node.security().auth());
    ClientLimiter limiter = new ClientLimiter(node.security().clientLimits());
    Watches watches = new Watches(raft.stateMachine(), validator, node.watch().historyRevisions(), limiter);
    MemberStatuses memberStatuses = new MemberStatuses(tls.map(NodeTls::grpcChannelCredentials).orElse(null));
    Membership membership = new Membership(raft, memberStatuses);
    GrpcServer grpc = new GrpcServer(raft, ops, watches, membership,
        tls.map(NodeTls::grpcServerCredentials).orElse(null), authenticator, limiter);
    WatchResource sseWatches = new WatchResource(watches, environment.getObjectMapper());
    // Open watch streams would hold Jetty's graceful stop for its whole grace period: end them first.
    environment.lifecycle().addEventListener(new LifeCycle.Listener() {
      @Override
      public void lifeCycleStopping(LifeCycle event) {
        watches.closeAll();
        sseWatches.close();
        memberStatuses.close();
      }
    });
    environment.lifecycle().manage(new Managed() {
      @Override
      public void start() throws Exception {
        raft.start();
      }

      @Override
      public void stop() throws Exception {
        raft.close();
      }
    });
    environment.lifecycle().manage(new Managed() {
      @Override
      public void start() throws Exception {
        grpc.start();
      }

      @Override
      public void stop() {
        grpc.close();
      }
    });
    environment.jersey().register(new KvResource(ops, node.requestTimeoutMs()));
    environment.jersey().register(new TxnResource(ops, node.requestTimeoutMs()));
    environment.jersey().register(sseWatches);
    environment.jersey().register(new ClusterResource(raft, membership, memberStatuses, node.requestTimeoutMs()));
    environment.jersey().register(new RequestBodyLimit(node.limits().maxRequestBytes()));
    environment.jersey().register(new RestCallers(authenticator, limiter));
    if (authenticator.enabled()) {
      environment.admin().addFilter("rocksraft-admin-auth", new AdminPortFilter(authenticator))
          .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
    }
    ProblemMappers.register(environment.jersey());
    AdminEndpoints.install(environment, raft);
    // Dropwizard gives the Jetty server its own ErrorHandler (HTML or Jetty's JSON); ours
    // replaces it before the server starts, so errors Jetty answers itself are problems too.
    environment.lifecycle().addEventListener(new LifeCycle.Listener() {
      @Override
      public void lifeCycleStarting(LifeCycle event) {
        if (event instanceof Server server) {
          server.setErrorHandler(new ProblemErrorHandler());
        }
      }
    });
  }
}
