package dev.tributary.node.replication;

import dev.tributary.node.MetadataView;
import dev.tributary.node.partition.PartitionEntity;
import dev.tributary.node.partition.ReplicaCommand;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.GatewayRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * This broker's replica fetchers ({@code /user/replica-fetchers}), one child per leader broker
 * this broker follows partitions on ({@link ReplicaFetcher}, named {@code leader-<id>}). Replicas
 * here tell it when they start following a leader (again, after every leader change) and when they
 * stop; it moves each partition to the fetcher of its leader, and tells the fetchers where their
 * leaders' data gateways are, from the brokers' addresses in metadata.
 */
public final class ReplicaFetchers {

  private ReplicaFetchers() {}

  public interface Command extends NoSerializationVerificationNeeded {}

  /** A replica here follows {@code leader} from {@code position} (its log end and last epoch). */
  public record Follow(int leader, ReplicaCommand.FetchPosition position, ActorRef<PartitionEntity.Command> replica)
      implements Command {}

  /** The replica here no longer follows (it leads, its topic is gone, or it stopped). */
  public record Unfollow(String topic, int partition) implements Command {}

  private enum MetadataChanged implements Command { INSTANCE }

  /** The child's name, also its path segment: answers cross the network to it by path. */
  static String fetcherName(int leader) {
    return "leader-" + leader;
  }

  public static Behavior<Command> create(int brokerId, LongSupplier brokerEpoch, MetadataView metadata,
      Duration requestTimeout) {
    return Behaviors.setup(context -> {
      metadata.onChange(() -> context.getSelf().tell(MetadataChanged.INSTANCE));
      ActorRefResolver resolver = ActorRefResolver.get(context.getSystem());
      Map<Integer, ActorRef<ReplicaFetcher.Command>> fetchers = new HashMap<>();
      Map<Integer, String> addresses = new HashMap<>();
      Map<String, Integer> leaderOf = new HashMap<>();
      Runnable tellAddresses = () -> {
        for (BrokerInfo broker : metadata.current().brokerInfo()) {
          ActorRef<ReplicaFetcher.Command> fetcher = fetchers.get(broker.id());
          if (fetcher != null && !broker.address().equals(addresses.get(broker.id()))) {
            addresses.put(broker.id(), broker.address());
            int colon = broker.address().lastIndexOf(':');
            ActorRef<GatewayRequest> gateway = resolver.resolveActorRef(Tributary.dataGatewayPath(
                broker.address().substring(0, colon), Integer.parseInt(broker.address().substring(colon + 1))));
            fetcher.tell(new ReplicaFetcher.LeaderGateway(gateway));
          }
        }
      };
      return Behaviors.receive(Command.class)
          .onMessage(Follow.class, follow -> {
            String id = TopicNames.partitionId(follow.position().topic(), follow.position().partition());
            Integer before = leaderOf.put(id, follow.leader());
            if (before != null && before != follow.leader()) {
              fetchers.get(before).tell(new ReplicaFetcher.Remove(id));
            }
            ActorRef<ReplicaFetcher.Command> fetcher = fetchers.computeIfAbsent(follow.leader(), leader ->
                context.spawn(ReplicaFetcher.create(brokerId, brokerEpoch, requestTimeout), fetcherName(leader)));
            tellAddresses.run();
            fetcher.tell(new ReplicaFetcher.Add(follow.position(), follow.replica()));
            return Behaviors.same();
          })
          .onMessage(Unfollow.class, unfollow -> {
            String id = TopicNames.partitionId(unfollow.topic(), unfollow.partition());
            Integer before = leaderOf.remove(id);
            if (before != null) {
              fetchers.get(before).tell(new ReplicaFetcher.Remove(id));
            }
            return Behaviors.same();
          })
          .onMessage(MetadataChanged.class, changed -> {
            tellAddresses.run();
            return Behaviors.same();
          })
          .build();
    });
  }
}
