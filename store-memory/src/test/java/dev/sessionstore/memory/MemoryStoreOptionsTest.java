package dev.sessionstore.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sessionstore.Session;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import dev.sessionstore.StoreCapabilities;
import dev.sessionstore.StoreOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Opening the store: discovery by URI, option parsing and the errors for bad options. */
class MemoryStoreOptionsTest {

  @Test
  void opensThroughServiceLoaderByScheme() {
    try (SessionStore store = SessionStores.open("memory:")) {
      assertThat(store).isInstanceOf(MemorySessionStore.class);
      assertThat(store.capabilities().asSet()).containsExactly(StoreCapabilities.Capability.EVENTS);
      Session s = store.create(SessionDraft.empty()).block();
      assertThat(s).isNotNull();
      assertThat(s.maxIdle()).as("default maxIdle").isEqualTo(Duration.ofMinutes(30));
      assertThat(store.count().block()).isEqualTo(1L);
    }
    assertThat(SessionStores.schemes()).contains("memory");
  }

  @Test
  void unknownSchemeNamesTheInstalledOnes() {
    assertThatThrownBy(() -> SessionStores.open("nosuch://x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nosuch")
        .hasMessageContaining("memory");
  }

  @Test
  void readsEveryOptionFromTheUri() {
    try (SessionStore store =
        SessionStores.open(
            "memory:?maxSessions=2&whenFull=REJECT&maxIdle=PT5M"
                + "&touchThreshold=10s&tombstoneGrace=1m&maxSessionBytes=1KiB&cleanupInterval=2h&eventBuffer=8")) {
      Session s = store.create(SessionDraft.empty()).block();
      assertThat(s.maxIdle()).isEqualTo(Duration.ofMinutes(5));
      store.create(SessionDraft.empty()).block();
      assertThatThrownBy(() -> store.create(SessionDraft.empty()).block())
          .isInstanceOf(dev.sessionstore.StoreFullException.class);
      assertThatThrownBy(() -> store.save(s.withAttribute("big", "x".repeat(2000))).block())
          .isInstanceOf(dev.sessionstore.SessionTooLargeException.class);
    }
  }

  @Test
  void maxIdleNoneMeansNoIdleLimit() {
    try (SessionStore store = SessionStores.open("memory:?maxIdle=none")) {
      assertThat(store.create(SessionDraft.empty()).block().maxIdle()).isNull();
    }
  }

  @Test
  void valuesSetInCodeWinOverTheUri() {
    StoreOptions options =
        StoreOptions.parse("memory:?maxIdle=PT5M").with(StoreOptions.MAX_IDLE, Duration.ofHours(2));
    try (SessionStore store = SessionStores.open(options)) {
      assertThat(store.create(SessionDraft.empty()).block().maxIdle())
          .isEqualTo(Duration.ofHours(2));
    }
  }

  @Test
  void unknownParametersFailNamingThem() {
    assertThatThrownBy(() -> SessionStores.open("memory:?maxSession=10&colour=blue"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxSession")
        .hasMessageContaining("colour")
        .hasMessageContaining("maxSessions"); // the known ones are listed
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
    "maxSessions, 0",
    "maxSessions, many",
    "whenFull, drop",
    "maxIdle, PT0S",
    "maxIdle, soon",
    "touchThreshold, -1s",
    "tombstoneGrace, forever",
    "maxSessionBytes, 0",
    "maxSessionBytes, 1MB",
    "cleanupInterval, PT0S",
    "eventBuffer, 0",
    "eventBuffer, 3000000000",
  })
  void badValuesFailNamingTheParameter(String name, String value) {
    assertThatThrownBy(() -> SessionStores.open("memory:?" + name + "=" + value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(name);
  }

  @Test
  void badValuesSetInCodeFailToo() {
    StoreOptions negative =
        StoreOptions.parse("memory:").with(StoreOptions.TOMBSTONE_GRACE, Duration.ofSeconds(-1));
    assertThatThrownBy(() -> MemorySessionStore.open(negative))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tombstoneGrace");
  }

  @Test
  void openRefusesOtherSchemes() {
    assertThatThrownBy(() -> MemorySessionStore.open(StoreOptions.parse("mongodb://localhost/app")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("memory");
  }

  @Test
  void closeIsIdempotentAndLaterCallsFail() {
    MemorySessionStore store = MemorySessionStore.open();
    Session s = store.create(SessionDraft.empty()).block();
    store.close();
    store.close();
    assertThatThrownBy(() -> store.get(s.id()).block()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.count().block()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.events().blockFirst()).isInstanceOf(IllegalStateException.class);
    assertThat(store.toString()).contains("closed");
  }
}
