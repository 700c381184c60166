package io.rocksraft.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hook jobs that follow the replica count: membership is changed through the membership API
 * (kvctl member add/remove), before the pods go and after new ones start. The scripts themselves
 * run against a real node in {@link NodeImageTest}.
 */
class MembershipHooksTest {
  private static final Manifests FIVE = Chart.renderWithHooks(Map.of("replicas", 5));

  private static String script(Job job) {
    Container c = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getCommand()).containsExactly("/bin/sh", "-c");
    return c.getArgs().get(0);
  }

  private static String endpoints(int replicas) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < replicas; i++) {
      out.append(i == 0 ? "" : ",").append(Chart.FULLNAME).append('-').append(i).append('.')
          .append(Chart.FULLNAME).append("-headless.db.svc.cluster.local:9001");
    }
    return out.toString();
  }

  @Test
  void scaleDownRemovesMembersAboveTheNewCountBeforeTheUpgrade() {
    Job job = FIVE.job("scale-down");
    assertThat(job.getMetadata().getAnnotations()).containsEntry(Chart.RENAMED_HOOK_ANNOTATION, "pre-upgrade,pre-rollback");
    String script = script(job);
    assertThat(script)
        .contains("replicas=5")
        .contains("prefix=\"" + Chart.FULLNAME + "\"")
        // Asked through the members that stay, never through one that goes.
        .contains("endpoints=\"" + endpoints(5) + "\"")
        .contains("kvctl member remove")
        // Highest ordinal first, and nothing without a leader in sight.
        .contains("sort -rn")
        .contains("(leader)");
    assertThat(job.getSpec().getBackoffLimit()).isZero();
  }

  @Test
  void scaleUpAddsEveryPodNotYetAMemberAfterTheUpgrade() {
    Job job = FIVE.job("scale-up");
    assertThat(job.getMetadata().getAnnotations()).containsEntry(Chart.RENAMED_HOOK_ANNOTATION, "post-upgrade,post-rollback");
    assertThat(script(job))
        .contains("replicas=5")
        .contains("domain=\"" + Chart.FULLNAME + "-headless.db.svc.cluster.local\"")
        .contains("kvctl member add \"$id\" --raft-address \"$host:7001\"")
        .contains("--client-address \"$host:9001\"")
        .contains("already a member");
  }

  @Test
  void hookJobsRunKvctlAsTheNodeDoesWithoutRoot() {
    for (String suffix : new String[] {"scale-down", "scale-up"}) {
      Job job = FIVE.job(suffix);
      var pod = job.getSpec().getTemplate().getSpec();
      Container c = pod.getContainers().get(0);
      assertThat(c.getImage()).isEqualTo(FIVE.nodeContainer().getImage());
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getRestartPolicy()).isEqualTo("Never");
      assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
      assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(900L);
    }
  }

  @Test
  void noHookJobsWhenMembershipIsManaged() {
    Manifests m = Chart.renderWithHooks(Map.of("membership.enabled", false));
    assertThat(m.all(Job.class)).isEmpty();
  }

  @Test
  void hookJobsAreHooksOnlyNotPartOfTheRelease() {
    assertThat(Chart.render(Map.of()).all(Job.class)).isEmpty();
  }
}
