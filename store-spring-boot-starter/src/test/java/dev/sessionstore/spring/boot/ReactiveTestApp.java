package dev.sessionstore.spring.boot;

import dev.sessionstore.spring.ExclusiveLoginException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.context.reactive.AnnotationConfigReactiveWebApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.WebExceptionHandler;
import org.springframework.web.server.WebSession;
import reactor.core.publisher.Mono;

/**
 * A WebFlux application with Spring Security form login on the starter, as a user would write it.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class ReactiveTestApp {

  /** Requests to {@code /slow} wait here until a test opens the gate. */
  static final Map<String, CountDownLatch[]> gates = new ConcurrentHashMap<>();

  static ConfigurableApplicationContext start(String... properties) {
    SpringApplication app = new SpringApplication(ReactiveTestApp.class);
    app.setApplicationContextFactory(type -> new AnnotationConfigReactiveWebApplicationContext());
    String[] args = new String[properties.length + 2];
    args[0] = "--spring.main.web-application-type=reactive";
    args[1] = "--spring.main.banner-mode=off";
    for (int i = 0; i < properties.length; i++) {
      args[i + 2] = "--" + properties[i];
    }
    return app.run(args);
  }

  @Bean
  SecurityWebFilterChain security(ServerHttpSecurity http) {
    return http.authorizeExchange(
            exchanges ->
                exchanges
                    .pathMatchers("/public/**", "/login")
                    .permitAll()
                    .anyExchange()
                    .authenticated())
        .formLogin(form -> form.loginPage("/login"))
        .logout(logout -> logout.logoutUrl("/logout"))
        .csrf(ServerHttpSecurity.CsrfSpec::disable)
        .build();
  }

  /** Every user name exists; the password is "pw". */
  @Bean
  ReactiveUserDetailsService users() {
    return name -> Mono.just(User.withUsername(name).password("{noop}pw").roles("USER").build());
  }

  /** The application's mapping of a refused exclusive login. */
  @Bean
  @Order(-2)
  WebExceptionHandler exclusiveLoginIsConflict() {
    return (exchange, error) -> {
      if (error instanceof ExclusiveLoginException) {
        exchange.getResponse().setStatusCode(HttpStatus.CONFLICT);
        return exchange.getResponse().setComplete();
      }
      return Mono.error(error);
    };
  }

  @RestController
  static class Endpoints {

    @GetMapping("/public/visit")
    Mono<String> visit(WebSession session) {
      Long visits = (Long) session.getAttributes().getOrDefault("visits", 0L);
      session.getAttributes().put("visits", visits + 1);
      return Mono.just(session.getId());
    }

    @GetMapping("/me")
    Mono<String> me(java.security.Principal principal) {
      return Mono.just(principal.getName());
    }

    @PostMapping("/attr")
    Mono<String> set(
        WebSession session, @RequestParam("name") String name, @RequestParam("value") long value) {
      session.getAttributes().put(name, value);
      return Mono.just("ok");
    }

    @PostMapping("/count")
    Mono<String> count(WebSession session) {
      Long counter = (Long) session.getAttributes().getOrDefault("counter", 0L);
      session.getAttributes().put("counter", counter + 1);
      return Mono.just("ok");
    }

    @GetMapping("/attrs")
    Mono<Map<String, Object>> attrs(WebSession session) {
      Map<String, Object> copy = new TreeMap<>();
      session
          .getAttributes()
          .forEach(
              (k, v) -> {
                if (v instanceof Long || v instanceof String) {
                  copy.put(k, v);
                }
              });
      return Mono.just(copy);
    }

    /** Sets an attribute after the test opens the gate named {@code gate}. */
    @PostMapping("/slow")
    Mono<String> slow(WebSession session, @RequestParam("gate") String gate) {
      CountDownLatch[] latches = gates.get(gate);
      latches[0].countDown();
      return Mono.fromCallable(() -> latches[1].await(30, java.util.concurrent.TimeUnit.SECONDS))
          .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic())
          .map(
              opened -> {
                session.getAttributes().put("late", "written after logout");
                return "done";
              });
    }
  }
}
