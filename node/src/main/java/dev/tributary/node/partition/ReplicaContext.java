package dev.tributary.node.partition;

import dev.tributary.node.controller.Controller;
import dev.tributary.node.replication.ReplicaFetchers;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a replica needs of its broker to replicate: the broker's id and current epoch, the
 * controller door (for ISR changes), this broker's replica fetchers (for following), and {@code
 * tributary.broker.replica-lag-time-max} (Kafka's {@code replica.lag.time.max.ms}).
 */
public record ReplicaContext(int brokerId, LongSupplier brokerEpoch, ActorRef<Controller.Command> controller,
    ActorRef<ReplicaFetchers.Command> fetchers, Duration replicaLagTimeMax) {}
