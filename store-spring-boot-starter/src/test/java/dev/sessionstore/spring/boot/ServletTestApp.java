package dev.sessionstore.spring.boot;

import dev.sessionstore.spring.ExclusiveLoginAuthenticationStrategy;
import dev.sessionstore.spring.ExclusiveLoginException;
import dev.sessionstore.spring.SessionStoreRepository;
import jakarta.servlet.http.HttpSession;
import java.security.Principal;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.mock.web.MockServletContext;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.support.GenericWebApplicationContext;

/** A Spring MVC application with Spring Security form login on the starter. */
@SpringBootConfiguration
@EnableAutoConfiguration
class ServletTestApp {

  static ConfigurableApplicationContext start(String... properties) {
    SpringApplication app = new SpringApplication(ServletTestApp.class);
    app.setApplicationContextFactory(
        type -> new GenericWebApplicationContext(new MockServletContext()));
    String[] args = new String[properties.length + 2];
    args[0] = "--spring.main.web-application-type=servlet";
    args[1] = "--spring.main.banner-mode=off";
    for (int i = 0; i < properties.length; i++) {
      args[i + 2] = "--" + properties[i];
    }
    return app.run(args);
  }

  @Bean
  SecurityFilterChain security(HttpSecurity http, SessionStoreRepository repository)
      throws Exception {
    return http.authorizeHttpRequests(
            requests ->
                requests
                    .requestMatchers("/public/**", "/login")
                    .permitAll()
                    .anyRequest()
                    .authenticated())
        .formLogin(
            form ->
                form.successHandler(
                        (request, response, authentication) -> response.sendRedirect("/"))
                    .failureHandler(
                        (request, response, e) ->
                            response.sendError(
                                e.getCause() instanceof ExclusiveLoginException ? 409 : 401)))
        .sessionManagement(
            session ->
                session.sessionAuthenticationStrategy(
                    new ExclusiveLoginAuthenticationStrategy(repository)))
        .logout(
            logout ->
                logout
                    .logoutUrl("/logout")
                    .logoutSuccessHandler(
                        (request, response, authentication) -> response.setStatus(204)))
        .csrf(AbstractHttpConfigurer::disable)
        .build();
  }

  /** Every user name exists; the password is "pw". */
  @Bean
  UserDetailsService users() {
    return name -> User.withUsername(name).password("{noop}pw").roles("USER").build();
  }

  @RestController
  static class Endpoints {

    @GetMapping("/public/visit")
    String visit(HttpSession session) {
      Long visits = (Long) session.getAttribute("visits");
      session.setAttribute("visits", visits == null ? 1L : visits + 1);
      return session.getId();
    }

    @GetMapping("/me")
    String me(Principal principal) {
      return principal.getName();
    }

    @PostMapping("/attr")
    String set(
        HttpSession session, @RequestParam("name") String name, @RequestParam("value") long value) {
      session.setAttribute(name, value);
      return "ok";
    }

    @PostMapping("/count")
    String count(HttpSession session) {
      Long counter = (Long) session.getAttribute("counter");
      session.setAttribute("counter", counter == null ? 1L : counter + 1);
      return "ok";
    }

    @GetMapping("/attrs")
    Map<String, Object> attrs(HttpSession session) {
      Map<String, Object> copy = new TreeMap<>();
      for (String name : Collections.list(session.getAttributeNames())) {
        Object value = session.getAttribute(name);
        if (value instanceof Long || value instanceof String) {
          copy.put(name, value);
        }
      }
      return copy;
    }

    /** Sets an attribute after the test opens the gate named {@code gate}. */
    @PostMapping("/slow")
    String slow(HttpSession session, @RequestParam("gate") String gate)
        throws InterruptedException {
      CountDownLatch[] latches = ReactiveTestApp.gates.get(gate);
      latches[0].countDown();
      latches[1].await(30, TimeUnit.SECONDS);
      session.setAttribute("late", "written after logout");
      return "done";
    }
  }
}
