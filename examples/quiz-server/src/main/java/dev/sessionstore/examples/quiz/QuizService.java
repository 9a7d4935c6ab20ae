package dev.sessionstore.examples.quiz;

import static dev.sessionstore.examples.quiz.QuizData.ANSWERS;
import static dev.sessionstore.examples.quiz.QuizData.ATTEMPTS;
import static dev.sessionstore.examples.quiz.QuizData.ATTEMPT_ID;
import static dev.sessionstore.examples.quiz.QuizData.KIND;
import static dev.sessionstore.examples.quiz.QuizData.LOGIN;
import static dev.sessionstore.examples.quiz.QuizData.LOGIN_ID;
import static dev.sessionstore.examples.quiz.QuizData.QUESTIONS;
import static dev.sessionstore.examples.quiz.QuizData.QUIZ;
import static dev.sessionstore.examples.quiz.QuizData.QUIZ_ID;
import static dev.sessionstore.examples.quiz.QuizData.QUIZ_KIND;
import static dev.sessionstore.examples.quiz.QuizData.REMAINING_MS;
import static dev.sessionstore.examples.quiz.QuizData.RESULT;
import static dev.sessionstore.examples.quiz.QuizData.RESULTS;
import static dev.sessionstore.examples.quiz.QuizData.RESULTS_ID;
import static dev.sessionstore.examples.quiz.QuizData.STATUS;
import static dev.sessionstore.examples.quiz.QuizData.SUBMITTED;
import static dev.sessionstore.examples.quiz.QuizData.SUBMITTED_AT;
import static dev.sessionstore.examples.quiz.QuizData.TICKS;
import static dev.sessionstore.examples.quiz.QuizData.USER;

import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
import dev.sessionstore.SessionDestroyedException;
import dev.sessionstore.SessionDraft;
import dev.sessionstore.SessionEvent;
import dev.sessionstore.SessionStore;
import dev.sessionstore.StoreCapabilities;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * The quiz, on top of a {@link SessionStore}: every change of a quiz goes through {@link
 * SessionStore#update}, so the server's ticks, a candidate's answers from several tabs and a submit
 * never overwrite each other.
 *
 * <p>A browser holds a <em>login session</em>; starting a quiz creates a separate <em>quiz
 * session</em> that claims the user exclusively until its deadline (see {@link QuizData}). While
 * the claim lives, the store refuses to bind the user to any other session, so a second browser can
 * neither log in nor start a quiz.
 *
 * <p>Exactly-once evaluation rests on two atomic steps. First, a quiz leaves the {@code running}
 * status only once: either a submit's {@code update} freezes it (and removes the deadline in the
 * same write, so the session can no longer expire while running), or the quiz session reaches its
 * deadline first, after which every update of it completes empty and the store emits one {@code
 * EXPIRED} event carrying its last state, which this service evaluates. Second, a result is
 * recorded with an {@code update} of the user's results session that refuses an attempt id it
 * already holds; a second evaluation of one attempt, if anything ever produced one, is counted and
 * dropped.
 *
 * <p>The methods behind the HTTP API return {@link Mono}s and never block; ticks, cleanup and
 * evaluations run on the service's own threads. Thread-safe.
 */
final class QuizService implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(QuizService.class.getName());
  static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._@-]{1,40}");
  private static final int TICK_LEDGER_SIZE = 10_000;

  /** How long a submitted quiz stays readable (its result shown) after its last use. */
  private static final Duration SUBMITTED_KEPT = Duration.ofMinutes(10);

  private final SessionStore store;
  private final InstantSource clock;
  private final Duration quizDuration;
  private final int questionCount;
  private final Duration resultsRetention;
  private final Duration storeTimeout;
  private final SecureRandom random = new SecureRandom();

  /** The running quizzes the ticker updates, by quiz session id. */
  private final ConcurrentHashMap<String, ActiveQuiz> active = new ConcurrentHashMap<>();

  /** Successful tick writes per attempt id, so a result can be checked against them. */
  private final Map<String, AtomicLong> tickLedger =
      Collections.synchronizedMap(
          new LinkedHashMap<>(256, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, AtomicLong> eldest) {
              return size() > TICK_LEDGER_SIZE;
            }
          });

  /** The last queued write of each results session; entries leave when their write ends. */
  private final ConcurrentHashMap<String, Mono<Void>> resultsWrites = new ConcurrentHashMap<>();

  private final ScheduledExecutorService timers;
  private final ExecutorService evaluator;
  private final AtomicBoolean cleanupInFlight = new AtomicBoolean();
  private volatile Disposable events;

  private final LongAdder loginsAccepted = new LongAdder();
  private final LongAdder loginsRefused = new LongAdder();
  private final LongAdder quizzesStarted = new LongAdder();
  private final LongAdder startsRefused = new LongAdder();
  private final LongAdder answersAccepted = new LongAdder();
  private final LongAdder answersRejected = new LongAdder();
  private final LongAdder ticksApplied = new LongAdder();
  private final LongAdder tickErrors = new LongAdder();
  private final LongAdder expiredEvents = new LongAdder();
  private final LongAdder evaluatedOnSubmit = new LongAdder();
  private final LongAdder evaluatedOnDeadline = new LongAdder();
  private final LongAdder duplicateEvaluations = new LongAdder();
  private final LongAdder evaluationFailures = new LongAdder();
  private final LongAdder resultsDropped = new LongAdder();
  private final LongAdder resultsDiscarded = new LongAdder();
  private final LongAdder cleanupRuns = new LongAdder();

  QuizService(SessionStore store, InstantSource clock, Options options) {
    if (!store.capabilities().has(StoreCapabilities.Capability.EVENTS)) {
      throw new IllegalArgumentException(
          "the quiz evaluates expired attempts on the store's EXPIRED"
              + " events, but this store does not publish events (capabilities: "
              + store.capabilities()
              + ")");
    }
    this.store = store;
    this.clock = clock;
    this.quizDuration = options.quizDuration();
    this.questionCount = options.questions();
    this.resultsRetention = options.resultsRetention();
    this.storeTimeout = Duration.ofSeconds(15);
    this.timers = Executors.newScheduledThreadPool(1, daemon("quiz-timer"));
    this.evaluator = Executors.newFixedThreadPool(2, daemon("quiz-evaluator"));

    // Hand EXPIRED events straight to the evaluator: the store's buffer per subscriber is bounded,
    // so the subscriber itself must never be slow.
    this.events =
        store
            .events()
            .filter(event -> event.type() == SessionEvent.Type.EXPIRED)
            .subscribe(
                event -> evaluator.execute(() -> onExpired(event)),
                error ->
                    LOG.log(System.Logger.Level.ERROR, "the store's event stream failed", error));
    recoverRunningQuizzes();
    long tickMillis = Math.max(10, options.tickInterval().toMillis());
    timers.scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    long cleanupMillis = Math.max(100, options.cleanupInterval().toMillis());
    timers.scheduleAtFixedRate(this::cleanup, cleanupMillis, cleanupMillis, TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- the HTTP API's operations

  /** What a login produced: the new session to set as cookie and the body to answer with. */
  record Login(String sessionId, Map<String, Object> body) {}

  /**
   * Logs a user in with a new session, whatever session the browser had: an id known before the
   * login (planted, or the previous user's) never becomes the logged-in one.
   */
  Mono<Login> login(String user, String currentSessionId) {
    if (user == null || !USER_NAME.matcher(user).matches()) {
      return Mono.error(
          new ApiException(400, "user must be 1 to 40 characters from A-Z a-z 0-9 . _ @ -"));
    }
    Mono<Session> previous =
        currentSessionId == null || !Session.isWellFormedId(currentSessionId)
            ? Mono.empty()
            : timed(store.get(currentSessionId)).filter(QuizData::isLogin);
    // The user's other logins share one results session; the first login makes a new one.
    Mono<String> resultsId =
        timed(
                store
                    .findByPrincipal(user)
                    .filter(QuizData::isLogin)
                    .flatMap(other -> Mono.justOrEmpty(QuizData.resultsId(other)))
                    .next())
            .switchIfEmpty(Mono.fromSupplier(() -> QuizData.newResultsId(random)));
    Mono<Session> created =
        resultsId
            .flatMap(
                results ->
                    timed(
                        store.create(
                            SessionDraft.of(
                                    SessionData.of(
                                        Map.of(KIND, LOGIN, USER, user, RESULTS_ID, results)))
                                .withPrincipal(user, false))))
            .onErrorMap(
                PrincipalConflictException.class,
                e -> {
                  loginsRefused.increment();
                  return new ApiException(409, "quiz in progress in another browser");
                });
    return created.flatMap(
        session ->
            previous
                .flatMap(this::retire)
                .then(view(session))
                .map(
                    body -> {
                      loginsAccepted.increment();
                      return new Login(session.id(), body);
                    }));
  }

  /** Ends the login session a browser leaves behind, unless its quiz is still running. */
  private Mono<Void> retire(Session login) {
    return runningQuiz(login)
        .hasElement()
        .flatMap(running -> running ? Mono.<Void>empty() : endLogin(login));
  }

  Mono<Void> logout(Session login) {
    return runningQuiz(login)
        .hasElement()
        .flatMap(
            running ->
                running
                    ? Mono.error(
                        new ApiException(
                            409,
                            "a quiz is in progress: submit it (or let its time run out) first"))
                    : endLogin(login));
  }

  /** Destroys a login, its submitted quiz and, if no other session uses them, its results. */
  private Mono<Void> endLogin(Session login) {
    Object quizId = login.attribute(QUIZ_ID);
    Mono<Boolean> quiz =
        quizId instanceof String id && Session.isWellFormedId(id)
            ? timed(store.destroy(id))
            : Mono.empty();
    return quiz.then(timed(store.destroy(login.id())))
        .then(dropResultsIfUnused(QuizData.user(login), QuizData.resultsId(login)));
  }

  Mono<Map<String, Object>> start(Session login) {
    String user = QuizData.user(login);
    Instant now = clock.instant();
    Instant deadline = now.plus(quizDuration);
    String attemptId = newAttemptId();
    List<Map<String, Object>> questions =
        Questions.draw(questionCount, ThreadLocalRandom.current());
    Map<String, Object> quiz = QuizData.newQuiz(attemptId, now, deadline, questions);
    // The quiz session claims the user exclusively: of concurrent starts (or a start racing a login
    // in another browser) exactly one wins. No idle limit: the deadline ends it.
    SessionDraft draft =
        SessionDraft.of(
                SessionData.of(
                    Map.of(
                        KIND,
                        QUIZ_KIND,
                        USER,
                        user,
                        LOGIN_ID,
                        login.id(),
                        RESULTS_ID,
                        QuizData.resultsId(login),
                        QUIZ,
                        quiz)))
            .withPrincipal(user, true)
            .withDeadline(deadline)
            .withMaxIdle(null);
    return timed(store.create(draft))
        .onErrorMap(
            PrincipalConflictException.class,
            e -> {
              startsRefused.increment();
              return new ApiException(409, "quiz in progress in another browser");
            })
        .flatMap(
            quizSession ->
                timed(
                        store.update(
                            login.id(),
                            current ->
                                QuizData.isLogin(current)
                                    ? current
                                        .withAttribute(QUIZ_ID, quizSession.id())
                                        .withAttribute(ATTEMPT_ID, attemptId)
                                    : current))
                    .switchIfEmpty(
                        Mono.defer(
                            () ->
                                timed(store.destroy(quizSession.id()))
                                    .then(Mono.error(notLoggedIn()))))
                    .map(
                        updated -> {
                          quizzesStarted.increment();
                          register(quizSession.id(), attemptId, deadline);
                          return body(user, quizView(QuizData.quiz(quizSession)));
                        }));
  }

  Mono<Map<String, Object>> answer(Session login, Object questionValue, Object choiceValue) {
    if (!(questionValue instanceof Long) || !(choiceValue instanceof Long)) {
      answersRejected.increment();
      return Mono.error(
          new ApiException(
              400, "expected {\"question\": <id>, \"choice\": <index>} with integers"));
    }
    long question = (Long) questionValue;
    long choice = (Long) choiceValue;
    Instant now = clock.instant();
    return quizIdOf(login)
        .flatMap(
            quizId ->
                timed(
                    store.update(
                        quizId,
                        current -> {
                          Map<String, Object> quiz = requireQuizOf(current, login);
                          if (!QuizData.isRunning(quiz)) {
                            throw new ApiException(409, "the quiz was already submitted");
                          }
                          if (!now.isBefore(QuizData.deadline(quiz))) {
                            throw new ApiException(410, "time is up");
                          }
                          Map<String, Object> q = QuizData.question(quiz, question);
                          if (q == null) {
                            throw new ApiException(400, "the quiz has no question " + question);
                          }
                          if (choice < 0 || choice >= QuizData.list(q.get("choices")).size()) {
                            throw new ApiException(
                                400, "question " + question + " has no choice " + choice);
                          }
                          Map<String, Object> answers = new LinkedHashMap<>(QuizData.answers(quiz));
                          answers.put(Long.toString(question), choice);
                          return current.withAttribute(QUIZ, QuizData.with(quiz, ANSWERS, answers));
                        })))
        .switchIfEmpty(Mono.error(() -> timeUp("time is up")))
        .doOnError(ApiException.class, e -> answersRejected.increment())
        .map(
            saved -> {
              answersAccepted.increment();
              Map<String, Object> body = new LinkedHashMap<>();
              body.put("accepted", true);
              body.put("question", question);
              body.put("choice", choice);
              body.put("answered", (long) QuizData.answers(QuizData.quiz(saved)).size());
              return body;
            });
  }

  Mono<Map<String, Object>> submit(Session login) {
    Instant now = clock.instant();
    return quizIdOf(login)
        .flatMap(
            quizId ->
                timed(
                    store.update(
                        quizId,
                        current -> {
                          Map<String, Object> quiz = requireQuizOf(current, login);
                          if (!QuizData.isRunning(quiz)) {
                            throw new ApiException(409, "the quiz was already submitted");
                          }
                          if (!now.isBefore(QuizData.deadline(quiz))) {
                            throw new ApiException(
                                410, "time is up: the quiz is evaluated automatically");
                          }
                          // One write ends the quiz: no more answers, no deadline (so no EXPIRED
                          // evaluation), and the
                          // user's exclusive claim released so another browser may log in again.
                          return current
                              .withPrincipal(null, false)
                              .withDeadline(null)
                              .withMaxIdle(SUBMITTED_KEPT)
                              .withAttribute(
                                  QUIZ, QuizData.with(quiz, STATUS, SUBMITTED, SUBMITTED_AT, now));
                        })))
        .switchIfEmpty(Mono.error(() -> timeUp("time is up: the quiz is evaluated automatically")))
        .flatMap(
            frozen -> {
              active.remove(frozen.id());
              Map<String, Object> quiz = QuizData.quiz(frozen);
              String user = QuizData.user(frozen);
              String attemptId = QuizData.attemptId(quiz);
              return record(
                      QuizData.resultsId(frozen),
                      user,
                      QuizData.evaluate(user, quiz, "submit", now))
                  // Best effort: show the result with the quiz too; the results session is the
                  // record.
                  .flatMap(
                      recorded ->
                          timed(
                                  store.update(
                                      frozen.id(),
                                      current -> {
                                        Map<String, Object> q = QuizData.quiz(current);
                                        return q != null && attemptId.equals(QuizData.attemptId(q))
                                            ? current.withAttribute(
                                                QUIZ, QuizData.with(q, RESULT, recorded))
                                            : current;
                                      }))
                              .onErrorResume(e -> Mono.empty())
                              .thenReturn(withTicksApplied(recorded)));
            });
  }

  Mono<Map<String, Object>> state(Session login) {
    return view(login);
  }

  /** The results of the logged-in user; anyone else's are refused. */
  Mono<Map<String, Object>> results(Session login, String user) {
    if (user == null || !USER_NAME.matcher(user).matches()) {
      return Mono.error(
          new ApiException(400, "user must be 1 to 40 characters from A-Z a-z 0-9 . _ @ -"));
    }
    if (!user.equals(QuizData.user(login))) {
      return Mono.error(new ApiException(403, "results are readable only by their owner"));
    }
    return attempts(QuizData.resultsId(login))
        .map(
            attempts -> {
              List<Object> shown = new ArrayList<>(attempts.size());
              for (Object attempt : attempts) {
                shown.add(withTicksApplied(QuizData.map(attempt)));
              }
              Map<String, Object> body = new LinkedHashMap<>();
              body.put(USER, user);
              body.put(ATTEMPTS, shown);
              return body;
            });
  }

  Map<String, Object> stats() {
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("loginsAccepted", loginsAccepted.sum());
    stats.put("loginsRefused", loginsRefused.sum());
    stats.put("quizzesStarted", quizzesStarted.sum());
    stats.put("startsRefused", startsRefused.sum());
    stats.put("answersAccepted", answersAccepted.sum());
    stats.put("answersRejected", answersRejected.sum());
    stats.put("ticksApplied", ticksApplied.sum());
    stats.put("tickErrors", tickErrors.sum());
    stats.put("expiredEvents", expiredEvents.sum());
    stats.put("evaluatedOnSubmit", evaluatedOnSubmit.sum());
    stats.put("evaluatedOnDeadline", evaluatedOnDeadline.sum());
    stats.put("duplicateEvaluationsRejected", duplicateEvaluations.sum());
    stats.put("evaluationFailures", evaluationFailures.sum());
    stats.put("resultsDropped", resultsDropped.sum());
    stats.put("evaluationsDiscardedAfterLogout", resultsDiscarded.sum());
    stats.put("activeQuizzes", (long) active.size());
    stats.put("cleanupRuns", cleanupRuns.sum());
    stats.put("quizSeconds", quizDuration.toMillis() / 1000.0);
    return stats;
  }

  // ---------------------------------------------------------------- ticks, expiry, evaluation

  private void register(String quizId, String attemptId, Instant deadline) {
    AtomicLong applied = tickLedger.computeIfAbsent(attemptId, id -> new AtomicLong());
    active.put(quizId, new ActiveQuiz(quizId, attemptId, deadline, applied));
  }

  /**
   * Writes remaining time and a tick count into every running quiz, one write in flight per quiz.
   */
  private void tick() {
    try {
      Instant now = clock.instant();
      for (ActiveQuiz quiz : active.values()) {
        if (!quiz.inFlight.compareAndSet(false, true)) {
          continue;
        }
        long remaining = Math.max(0, quiz.deadline.toEpochMilli() - now.toEpochMilli());
        store
            .update(
                quiz.sessionId,
                current -> {
                  Map<String, Object> q = QuizData.isQuiz(current) ? QuizData.quiz(current) : null;
                  if (q == null
                      || !quiz.attemptId.equals(QuizData.attemptId(q))
                      || !QuizData.isRunning(q)) {
                    throw new QuizOver();
                  }
                  long ticks = ((Long) q.get(TICKS)) + 1;
                  return current.withAttribute(
                      QUIZ, QuizData.with(q, TICKS, ticks, REMAINING_MS, remaining));
                })
            .map(written -> Boolean.TRUE)
            .defaultIfEmpty(Boolean.FALSE)
            .timeout(storeTimeout)
            .subscribe(
                written -> {
                  quiz.inFlight.set(false);
                  if (written) {
                    quiz.ticksApplied.incrementAndGet();
                    ticksApplied.increment();
                  } else {
                    active.remove(quiz.sessionId, quiz); // expired or destroyed: EXPIRED takes over
                  }
                },
                error -> {
                  quiz.inFlight.set(false);
                  if (error instanceof QuizOver) {
                    active.remove(quiz.sessionId, quiz);
                  } else {
                    tickErrors.increment();
                    LOG.log(System.Logger.Level.WARNING, "tick failed: " + error);
                  }
                });
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "ticker failed", e); // keep the schedule alive
    }
  }

  /**
   * Runs the store's cleanup every second, so that a store whose own sweeper runs rarely (MongoDB:
   * every {@code cleanupInterval}, one minute by default) still emits EXPIRED within about a second
   * of a deadline. For the memory store it is cheap and changes nothing.
   */
  private void cleanup() {
    if (!cleanupInFlight.compareAndSet(false, true)) {
      return;
    }
    store
        .cleanup()
        .timeout(storeTimeout)
        .subscribe(
            removed -> cleanupRuns.increment(),
            error -> {
              cleanupInFlight.set(false);
              LOG.log(System.Logger.Level.WARNING, "cleanup failed: " + error);
            },
            () -> cleanupInFlight.set(false));
  }

  /** Runs on the evaluator's threads, where blocking on the store is allowed. */
  private void onExpired(SessionEvent event) {
    Session last = event.session();
    try {
      if (QuizData.isLogin(last)) {
        dropResultsIfUnused(QuizData.user(last), QuizData.resultsId(last))
            .block(storeTimeout.multipliedBy(2));
        return;
      }
      if (!QuizData.isQuiz(last)) {
        return;
      }
      active.remove(event.sessionId());
      Map<String, Object> quiz = QuizData.quiz(last);
      if (!QuizData.isRunning(quiz)) {
        return; // submitted earlier
      }
      expiredEvents.increment();
      Map<String, Object> result =
          QuizData.evaluate(QuizData.user(last), quiz, "deadline", event.at());
      record(QuizData.resultsId(last), QuizData.user(last), result)
          .retryWhen(
              Retry.backoff(2, Duration.ofMillis(200))
                  .filter(e -> !(e instanceof SessionDestroyedException)))
          .block(storeTimeout.multipliedBy(4));
    } catch (SessionDestroyedException e) {
      // The user logged out between the deadline and this evaluation: the results went with them.
      resultsDiscarded.increment();
    } catch (RuntimeException e) {
      evaluationFailures.increment();
      LOG.log(
          System.Logger.Level.ERROR,
          "could not handle the expiry of a " + last.attribute(KIND) + " session",
          e);
    }
  }

  /**
   * Stores a result in the user's results session unless the attempt already has one.
   *
   * @return the stored result (the earlier one for a duplicate)
   */
  private Mono<Map<String, Object>> record(
      String resultsId, String user, Map<String, Object> result) {
    if (resultsId == null) {
      return Mono.error(new IllegalStateException("the quiz session names no results session"));
    }
    return resultsWrite(
        resultsId,
        Mono.defer(
            () ->
                timed(
                        store.update(
                            resultsId,
                            current -> QuizData.appendAttempt(current, result, resultsRetention)))
                    .switchIfEmpty(
                        Mono.defer(
                            () -> {
                              // None yet (or expired): a fresh one holding this result. Writes of
                              // one results session
                              // are queued, so no other write of this process races this upsert.
                              Instant now = clock.instant();
                              return timed(
                                  store.save(
                                      Session.builder(resultsId)
                                          .data(
                                              SessionData.of(
                                                  Map.of(
                                                      KIND,
                                                      RESULTS,
                                                      USER,
                                                      user,
                                                      ATTEMPTS,
                                                      List.of(result))))
                                          .createdAt(now)
                                          .lastAccessedAt(now)
                                          .maxIdle(resultsRetention)
                                          .build()));
                            }))
                    .map(
                        stored -> {
                          if ("submit".equals(result.get("evaluatedBy"))) {
                            evaluatedOnSubmit.increment();
                          } else {
                            evaluatedOnDeadline.increment();
                          }
                          return result;
                        })
                    .onErrorResume(
                        QuizData.DuplicateEvaluation.class,
                        e -> {
                          duplicateEvaluations.increment();
                          LOG.log(
                              System.Logger.Level.WARNING,
                              "attempt "
                                  + result.get(ATTEMPT_ID)
                                  + " was evaluated already; the second evaluation is dropped");
                          return Mono.just(e.existing());
                        })));
  }

  /**
   * Destroys a results session once no live login or running quiz of the user refers to it any
   * more, so that user names that come and go leave nothing behind in the store. Its id is never
   * used again.
   */
  private Mono<Void> dropResultsIfUnused(String user, String resultsId) {
    if (resultsId == null) {
      return Mono.empty();
    }
    return timed(
            store
                .findByPrincipal(user)
                .filter(other -> resultsId.equals(QuizData.resultsId(other)))
                .hasElements())
        .flatMap(
            used ->
                used
                    ? Mono.<Void>empty()
                    : resultsWrite(
                        resultsId,
                        Mono.defer(
                            () ->
                                timed(store.destroy(resultsId))
                                    .doOnNext(
                                        destroyed -> {
                                          if (destroyed) {
                                            resultsDropped.increment();
                                          }
                                        })
                                    .then())));
  }

  /** Runs a write of a results session after the previous write of that session ends. */
  private <T> Mono<T> resultsWrite(String resultsId, Mono<T> write) {
    return Mono.defer(
        () -> {
          Sinks.Empty<Void> done = Sinks.empty();
          Mono<Void> mine = done.asMono();
          Mono<Void> previous = resultsWrites.put(resultsId, mine);
          return (previous == null ? Mono.<Void>empty() : previous)
              .then(write)
              .doFinally(
                  signal -> {
                    resultsWrites.remove(resultsId, mine);
                    done.tryEmitEmpty();
                  });
        });
  }

  /** Re-registers the running quizzes found in a persistent store, so that they tick again. */
  private void recoverRunningQuizzes() {
    try {
      store
          .all()
          .filter(s -> QuizData.isQuiz(s) && QuizData.isRunning(QuizData.quiz(s)))
          .doOnNext(
              s -> {
                Map<String, Object> quiz = QuizData.quiz(s);
                register(s.id(), QuizData.attemptId(quiz), QuizData.deadline(quiz));
              })
          .then()
          .block(storeTimeout);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "could not look for running quizzes: " + e);
    }
  }

  // ---------------------------------------------------------------- helpers

  private <T> Mono<T> timed(Mono<T> operation) {
    return operation.timeout(storeTimeout);
  }

  private Mono<List<?>> attempts(String resultsId) {
    if (resultsId == null) {
      return Mono.just(List.of());
    }
    return timed(store.get(resultsId))
        .filter(
            results ->
                RESULTS.equals(results.attribute(KIND)) && results.attribute(ATTEMPTS) != null)
        .<List<?>>map(results -> QuizData.list(results.attribute(ATTEMPTS)))
        .defaultIfEmpty(List.of());
  }

  private static Mono<String> quizIdOf(Session login) {
    Object quizId = login.attribute(QUIZ_ID);
    return quizId instanceof String id && Session.isWellFormedId(id)
        ? Mono.just(id)
        : Mono.error(new ApiException(409, "no quiz was started"));
  }

  /** The login's quiz session, if it is still running. */
  private Mono<Session> runningQuiz(Session login) {
    Object quizId = login.attribute(QUIZ_ID);
    if (!(quizId instanceof String id) || !Session.isWellFormedId(id)) {
      return Mono.empty();
    }
    return timed(store.get(id))
        .filter(
            s ->
                QuizData.isQuiz(s)
                    && login.id().equals(s.attribute(LOGIN_ID))
                    && QuizData.isRunning(QuizData.quiz(s)));
  }

  private static Map<String, Object> requireQuizOf(Session current, Session login) {
    if (!QuizData.isQuiz(current) || !login.id().equals(current.attribute(LOGIN_ID))) {
      throw new ApiException(409, "no quiz was started");
    }
    return QuizData.quiz(current);
  }

  private Map<String, Object> withTicksApplied(Map<String, Object> result) {
    AtomicLong applied = tickLedger.get(String.valueOf(result.get(ATTEMPT_ID)));
    if (applied == null) {
      return result;
    }
    Map<String, Object> copy = new LinkedHashMap<>(result);
    copy.put("ticksApplied", applied.get());
    return copy;
  }

  /** What the page sees of a login: the user and the latest quiz, running or over. */
  private Mono<Map<String, Object>> view(Session login) {
    String user = QuizData.user(login);
    Object quizId = login.attribute(QUIZ_ID);
    if (!(quizId instanceof String id) || !Session.isWellFormedId(id)) {
      return Mono.just(body(user, null));
    }
    Object attemptId = login.attribute(ATTEMPT_ID);
    return timed(store.get(id))
        .filter(
            s ->
                QuizData.isQuiz(s)
                    && attemptId != null
                    && attemptId.equals(QuizData.attemptId(QuizData.quiz(s))))
        .map(s -> body(user, quizView(QuizData.quiz(s))))
        .switchIfEmpty(
            Mono.defer(
                () ->
                    attempts(QuizData.resultsId(login))
                        .map(
                            attempts -> {
                              // The quiz session is gone (its deadline passed): show the result
                              // once it is recorded.
                              Map<String, Object> over = new LinkedHashMap<>();
                              over.put(ATTEMPT_ID, attemptId);
                              over.put(STATUS, "over");
                              over.put(RESULT, null);
                              for (Object attempt : attempts) {
                                if (attemptId != null
                                    && attemptId.equals(QuizData.map(attempt).get(ATTEMPT_ID))) {
                                  over.put(RESULT, withTicksApplied(QuizData.map(attempt)));
                                }
                              }
                              return body(user, over);
                            })));
  }

  private Map<String, Object> body(String user, Map<String, Object> quiz) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(USER, user);
    body.put("serverTime", clock.instant());
    body.put(QUIZ, quiz);
    return body;
  }

  private Map<String, Object> quizView(Map<String, Object> quiz) {
    Map<String, Object> view = new LinkedHashMap<>(quiz);
    view.put(QUESTIONS, Questions.forClient(QuizData.list(quiz.get(QUESTIONS))));
    if (QuizData.isRunning(quiz)) {
      view.put(
          "remainingMsNow", Math.max(0, QuizData.deadline(quiz).toEpochMilli() - clock.millis()));
    }
    return view;
  }

  static ApiException notLoggedIn() {
    return new ApiException(401, "no live session: log in");
  }

  private static ApiException timeUp(String message) {
    return new ApiException(410, message);
  }

  private String newAttemptId() {
    byte[] bytes = new byte[12];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * Stops the timers and the evaluator, letting queued evaluations finish; the store stays open.
   */
  @Override
  public void close() {
    Disposable subscription = events;
    if (subscription != null) {
      subscription.dispose();
    }
    timers.shutdownNow();
    evaluator.shutdown();
    try {
      if (!evaluator.awaitTermination(10, TimeUnit.SECONDS)) {
        evaluator.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      evaluator.shutdownNow();
    }
  }

  /** A running quiz the ticker writes to. */
  private static final class ActiveQuiz {
    final String sessionId;
    final String attemptId;
    final Instant deadline;
    final AtomicLong ticksApplied;
    final AtomicBoolean inFlight = new AtomicBoolean();

    ActiveQuiz(String sessionId, String attemptId, Instant deadline, AtomicLong ticksApplied) {
      this.sessionId = sessionId;
      this.attemptId = attemptId;
      this.deadline = deadline;
      this.ticksApplied = ticksApplied;
    }
  }

  /** Aborts a tick's update when its quiz is no longer running. */
  private static final class QuizOver extends RuntimeException {
    private static final long serialVersionUID = 1L;

    QuizOver() {
      super("quiz is no longer running", null, false, false);
    }
  }
}
