package dev.sessionstore.tck;

import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreOptions;
import dev.sessionstore.spi.OptionTypes;
import dev.sessionstore.spi.SessionStoreProvider;
import dev.sessionstore.spi.StoreSettings;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Serves {@code reference:} URIs for the kit's own tests, for example {@code reference:} or {@code
 * reference:?flaws=lost-updates,resurrects}.
 */
public final class ReferenceStoreProvider implements SessionStoreProvider {

  /** The pretend backend, set in code by tests of the failure rules; absent means always up. */
  static final StoreOptions.Option<SimulatedBackend> BACKEND =
      StoreOptions.Option.valueOnly("backend", SimulatedBackend.class, SimulatedBackend::new);

  /** The deliberate bugs to switch on, comma-separated, in lower case with dashes. */
  static final StoreOptions.Option<String> FLAWS = OptionTypes.string("flaws", null);

  @Override
  public String scheme() {
    return "reference";
  }

  @Override
  public SessionStore open(StoreOptions options) {
    StoreSettings.reader("reference store", "reference").own(FLAWS, BACKEND).read(options);
    return new ReferenceStore(options, options.require(BACKEND), flaws(options.get(FLAWS)));
  }

  static Set<ReferenceStore.Flaw> flaws(String text) {
    Set<ReferenceStore.Flaw> flaws = EnumSet.noneOf(ReferenceStore.Flaw.class);
    if (text != null) {
      for (String name : text.split(",")) {
        flaws.add(
            ReferenceStore.Flaw.valueOf(name.strip().toUpperCase(Locale.ROOT).replace('-', '_')));
      }
    }
    return flaws;
  }

  static String uriName(ReferenceStore.Flaw flaw) {
    return flaw.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
