package dev.tributary.node;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/**
 * The broker's readiness check for Pekko Management's {@code /ready} (Kubernetes' readiness
 * probe), registered in reference.conf: the same reasons the admin API's {@code /health/ready}
 * gives ({@link BrokerStatus#readinessReasons}), failed with them joined, so the probe's answer
 * says why. Management creates it with the actor system; the broker hands its status over
 * through {@link Status}, an extension of that system, when it starts.
 */
public final class BrokerReadiness implements Supplier<CompletionStage<Boolean>> {

  private final Status status;

  public BrokerReadiness(ActorSystem system) {
    this.status = Status.ID.get(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    BrokerStatus broker = status.broker;
    List<String> reasons = broker == null ? List.of("the broker is starting") : broker.readinessReasons();
    return reasons.isEmpty() ? CompletableFuture.completedFuture(true)
        : CompletableFuture.failedFuture(new IllegalStateException(String.join("; ", reasons)));
  }

  /** Where a broker leaves its status for the check, one per actor system. */
  static final class Status implements Extension {
    static final Id ID = new Id();
    private volatile BrokerStatus broker;

    static void install(ActorSystem system, BrokerStatus broker) {
      ID.get(system).broker = broker;
    }

    static final class Id extends AbstractExtensionId<Status> {
      @Override
      public Status createExtension(ExtendedActorSystem system) {
        return new Status();
      }
    }
  }
}
