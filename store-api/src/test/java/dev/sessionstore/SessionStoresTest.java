package dev.sessionstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionStoresTest {

  @AfterEach
  void clearProperty() {
    System.clearProperty(SessionStores.URI_SYSTEM_PROPERTY);
  }

  @Test
  void opensTheProviderOfTheScheme() {
    assertThat(SessionStores.open("fake://x").toString()).isEqualTo("fake store fake://x");
    assertThat(SessionStores.open("FAKE+alias:y").toString()).isEqualTo("fake store FAKE+alias:y");
  }

  @Test
  void listsInstalledSchemes() {
    assertThat(SessionStores.schemes()).contains("fake", "fake+alias");
  }

  @Test
  void unknownSchemeNamesTheInstalledOnes() {
    assertThatThrownBy(() -> SessionStores.open("nosuch://x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'nosuch'")
        .hasMessageContaining("installed schemes: fake, fake+alias");
  }

  @Test
  void unknownSchemeMessageNeverShowsThePassword() {
    assertThatThrownBy(() -> SessionStores.open("nosuch://bob:pw123@host/db"))
        .hasMessageNotContaining("pw123");
  }

  @Test
  void openWithoutArgumentReadsTheSystemProperty() {
    System.setProperty(SessionStores.URI_SYSTEM_PROPERTY, "fake://configured");
    assertThat(SessionStores.open().toString()).isEqualTo("fake store fake://configured");
  }

  @Test
  void configuredUriFallsBackToMemory() {
    if (System.getenv(SessionStores.URI_ENVIRONMENT_VARIABLE) == null) {
      assertThat(SessionStores.configuredUri()).isEqualTo("memory:");
    }
  }
}
