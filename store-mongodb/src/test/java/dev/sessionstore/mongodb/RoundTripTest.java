package dev.sessionstore.mongodb;

import static dev.sessionstore.mongodb.MongoTesting.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.tck.TestClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Counts the commands each operation sends (a driver {@link CommandListener}), uncontended, with
 * default options: the round-trip table of the README.
 */
class RoundTripTest {

  /** Commands the driver sends on its own (monitoring, handshakes), not on the store's behalf. */
  private static final Set<String> DRIVER_OWN =
      Set.of("hello", "isMaster", "ismaster", "ping", "endSessions", "buildInfo", "getMore");

  private final List<String> commands = new CopyOnWriteArrayList<>();
  private final TestClock clock = new TestClock(MongoTesting.START);
  private MongoClient client;
  private MongoSessionStore store;

  @BeforeEach
  void open() {
    CommandListener listener =
        new CommandListener() {
          @Override
          public void commandStarted(CommandStartedEvent event) {
            if (!DRIVER_OWN.contains(event.getCommandName())) {
              commands.add(event.getCommandName());
            }
          }
        };
    client =
        MongoClients.create(
            MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(EmbeddedMongo.get().uri()))
                .addCommandListener(listener)
                .build());
    store =
        MongoSessionStore.builder(client, "sessionstore")
            .collection(EmbeddedMongo.get().freshCollection())
            .option(StoreOptions.CLOCK, clock)
            .option(StoreOptions.CLEANUP_INTERVAL, Duration.ofDays(1))
            .build();
  }

  @AfterEach
  void close() {
    store.close();
    client.close();
  }

  private List<String> sent(Supplier<Mono<?>> operation) {
    commands.clear();
    await(operation.get().then(Mono.just(true)));
    return List.copyOf(commands);
  }

  @Test
  void eachRequestIsOneRoundTripAndUpdateAndRegenerateTwo() {
    SessionDraft draft = SessionDraft.of(SessionData.of(Map.of("cart", 3L)));
    assertThat(sent(() -> store.create(draft))).as("create").containsExactly("insert");
    Session s = await(store.create(draft));
    clock.advance(Duration.ofSeconds(1));

    assertThat(sent(() -> store.get(s.id()))).as("get").containsExactly("findAndModify");
    assertThat(sent(() -> store.touch(s.id()))).as("touch").containsExactly("findAndModify");
    Session read = await(store.get(s.id()));
    assertThat(sent(() -> store.save(read.withAttribute("cart", 4L))))
        .as("save of a live session")
        .containsExactly("findAndModify");
    Session saved = await(store.get(s.id()));
    assertThat(sent(() -> store.saveIfUnchanged(saved.withAttribute("cart", 5L))))
        .as("saveIfUnchanged")
        .containsExactly("findAndModify");
    assertThat(sent(() -> store.update(s.id(), x -> x.withAttribute("cart", 6L))))
        .as("update")
        .containsExactly("find", "update");
    assertThat(sent(() -> store.regenerate(s.id())))
        .as("regenerate")
        .containsExactly("findAndModify", "insert");
    Session other = await(store.create(draft));
    assertThat(sent(() -> store.destroy(other.id())))
        .as("destroy")
        .containsExactly("findAndModify");
    assertThat(sent(() -> store.count())).as("count").containsExactly("aggregate");
  }

  @Test
  void anExclusiveClaimAddsOnlyTheClaimsOwnWrite() {
    SessionDraft exclusive = SessionDraft.empty().withPrincipal("alice", true);
    assertThat(sent(() -> store.create(exclusive)))
        .as("create claiming")
        .containsExactly("insert", "insert");
    Session s = await(store.findByPrincipal("alice").next());
    assertThat(sent(() -> store.get(s.id()))).as("get").containsExactly("findAndModify");
    assertThat(sent(() -> store.save(s.withAttribute("k", 1L))))
        .as("save keeping the claim")
        .containsExactly("findAndModify");
    assertThat(sent(() -> store.regenerate(s.id())))
        .as("regenerate moving the claim")
        .containsExactly("findAndModify", "insert", "update");
    Session moved = await(store.findByPrincipal("alice").next());
    assertThat(sent(() -> store.destroy(moved.id())))
        .as("destroy giving up the claim")
        .containsExactly("findAndModify", "delete");
  }

  @Test
  void aSessionWithItsOwnIdleLimitPaysAReadOnGet() {
    Session s = await(store.create(SessionDraft.empty().withMaxIdle(Duration.ofHours(3))));
    clock.advance(Duration.ofSeconds(1));
    assertThat(sent(() -> store.get(s.id())))
        .as("get, guess missed")
        .containsExactly("findAndModify", "find", "update");
    assertThat(await(store.get(s.id())).lastAccessedAt()).isEqualTo(clock.instant());
  }
}
