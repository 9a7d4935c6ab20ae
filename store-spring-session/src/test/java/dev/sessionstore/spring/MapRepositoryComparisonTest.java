package dev.sessionstore.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sessionstore.SessionStore;
import dev.sessionstore.SessionStores;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.session.MapSession;
import org.springframework.session.ReactiveMapSessionRepository;

/**
 * A documented comparison, not a check of Spring: the same 8+1 workload against Spring Session's
 * own {@link ReactiveMapSessionRepository}, which writes the whole session back at every save, so
 * concurrent requests overwrite each other's attributes. Its losses vary from run to run (and may
 * be zero on an idle machine with lucky timing); they are printed, and the README quotes a run.
 * Ours must lose nothing.
 */
class MapRepositoryComparisonTest {

  @Test
  @DisplayName("the 8+1 workload: Spring's map repository loses writes, ours none")
  void compare() throws Exception {
    ReactiveMapSessionRepository spring =
        new ReactiveMapSessionRepository(new ConcurrentHashMap<>());
    MapSession session = spring.createSession().block();
    session.setAttribute("start", 0L);
    spring.save(session).block();
    LostUpdates.Result springResult = LostUpdates.run(spring, session.getId());

    LostUpdates.Result ours;
    try (SessionStore store = SessionStores.open("memory:")) {
      ReactiveSessionStoreRepository repository = new ReactiveSessionStoreRepository(store);
      StoreSession created = repository.createSession().block();
      created.setAttribute("start", 0L);
      repository.save(created).block();
      ours = LostUpdates.run(repository, created.getId());
    }

    System.out.println(
        "8+1 workload, ReactiveMapSessionRepository: "
            + springResult
            + "; ReactiveSessionStoreRepository on memory: "
            + ours);
    assertThat(ours.lost()).as(ours.toString()).isZero();
  }
}
