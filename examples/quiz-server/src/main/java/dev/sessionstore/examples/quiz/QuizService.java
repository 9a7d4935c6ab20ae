package dev.sessionstore.examples.quiz;

import static dev.sessionstore.examples.quiz.QuizData.ANSWERS;
import static dev.sessionstore.examples.quiz.QuizData.ATTEMPTS;
import static dev.sessionstore.examples.quiz.QuizData.ATTEMPT_ID;
import static dev.sessionstore.examples.quiz.QuizData.KIND;
import static dev.sessionstore.examples.quiz.QuizData.LOGIN;
import static dev.sessionstore.examples.quiz.QuizData.QUESTIONS;
import static dev.sessionstore.examples.quiz.QuizData.QUIZ;
import static dev.sessionstore.examples.quiz.QuizData.REMAINING_MS;
import static dev.sessionstore.examples.quiz.QuizData.RESULT;
import static dev.sessionstore.examples.quiz.QuizData.RESULTS;
import static dev.sessionstore.examples.quiz.QuizData.STATUS;
import static dev.sessionstore.examples.quiz.QuizData.SUBMITTED;
import static dev.sessionstore.examples.quiz.QuizData.SUBMITTED_AT;
import static dev.sessionstore.examples.quiz.QuizData.TICKS;
import static dev.sessionstore.examples.quiz.QuizData.USER;

import dev.sessionstore.PrincipalConflictException;
import dev.sessionstore.Session;
import dev.sessionstore.SessionData;
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

/**
 * The quiz, on top of a {@link SessionStore}: every change of a session goes through {@link
 * SessionStore#update}, so the server's ticks, a candidate's answers from several tabs and a submit
 * never overwrite each other.
 *
 * <p>Exactly-once evaluation rests on two atomic steps. First, a quiz leaves the {@code running}
 * status only once: either a submit's {@code update} freezes it (and removes the deadline in the same
 * write, so the session can no longer expire while running), or the session reaches its deadline
 * first, after which every update of it completes empty and the store emits one {@code EXPIRED} event
 * carrying its last state, which this service evaluates. Second, a result is recorded with an {@code
 * update} of the user's results session that refuses an attempt id it already holds; a second
 * evaluation of one attempt, if anything ever produced one, is counted and dropped.
 *
 * <p>Methods named after the HTTP API block the calling thread (an HTTP worker) until the store has
 * answered; ticks, cleanup and evaluations run on the service's own threads. Thread-safe.
 */
final class QuizService implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(QuizService.class.getName());
  private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._@-]{1,40}");
  private static final int TICK_LEDGER_SIZE = 10_000;

  private final SessionStore store;
  private final InstantSource clock;
  private final Duration quizDuration;
  private final int questionCount;
  private final Duration storeTimeout;
  private final SecureRandom random = new SecureRandom();

  /** The running quizzes the ticker updates, by session id. */
  private final ConcurrentHashMap<String, ActiveQuiz> active = new ConcurrentHashMap<>();
  /** Successful tick writes per attempt id, so a result can be checked against them. */
  private final Map<String, AtomicLong> tickLedger = Collections.synchronizedMap(
      new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AtomicLong> eldest) {
          return size() > TICK_LEDGER_SIZE;
        }
      });
  private final ConcurrentHashMap<String, Mono<Void>> resultsReady = new ConcurrentHashMap<>();

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
  private final LongAdder cleanupRuns = new LongAdder();

  QuizService(SessionStore store, InstantSource clock, Duration quizDuration, int questionCount,
      Duration tickInterval, Duration cleanupInterval) {
    if (!store.capabilities().has(StoreCapabilities.Capability.EVENTS)) {
      throw new IllegalArgumentException("the quiz evaluates expired attempts on the store's EXPIRED"
          + " events, but this store does not publish events (capabilities: " + store.capabilities()
          + ")");
    }
    if (quizDuration.isNegative() || quizDuration.isZero()) {
      throw new IllegalArgumentException("quiz duration must be positive: " + quizDuration);
    }
    this.store = store;
    this.clock = clock;
    this.quizDuration = quizDuration;
    this.questionCount = questionCount;
    this.storeTimeout = Duration.ofSeconds(15);
    this.timers = Executors.newScheduledThreadPool(1, daemon("quiz-timer"));
    this.evaluator = Executors.newFixedThreadPool(2, daemon("quiz-evaluator"));

    // Hand EXPIRED events straight to the evaluator: the store's buffer per subscriber is bounded,
    // so the subscriber itself must never be slow.
    this.events = store.events()
        .filter(event -> event.type() == SessionEvent.Type.EXPIRED)
        .subscribe(event -> evaluator.execute(() -> onExpired(event)),
            error -> LOG.log(System.Logger.Level.ERROR, "the store's event stream failed", error));
    recoverRunningQuizzes();
    long tickMillis = Math.max(10, tickInterval.toMillis());
    timers.scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    long cleanupMillis = Math.max(100, cleanupInterval.toMillis());
    timers.scheduleAtFixedRate(this::cleanup, cleanupMillis, cleanupMillis, TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- the HTTP API's operations

  /** What a login produced: the session to set as cookie and the body to answer with. */
  record Login(String sessionId, Map<String, Object> body) {}

  Login login(String user, String currentSessionId) {
    if (user == null || !USER_NAME.matcher(user).matches()) {
      throw new ApiException(400, "user must be 1 to 40 characters from A-Z a-z 0-9 . _ @ -");
    }
    Session current = currentSessionId == null || !Session.isWellFormedId(currentSessionId)
        ? null : store.get(currentSessionId).block(storeTimeout);
    if (current != null && QuizData.isLogin(current) && user.equals(current.principal())) {
      loginsAccepted.increment();
      return new Login(current.id(), view(current));
    }
    ensureResultsSession(user);
    Session created;
    try {
      created = store.create(SessionDraft.of(SessionData.of(Map.of(KIND, LOGIN, USER, user)))
          .withPrincipal(user, false)).block(storeTimeout);
    } catch (PrincipalConflictException e) {
      loginsRefused.increment();
      throw new ApiException(409, "quiz in progress in another browser");
    }
    if (current != null && QuizData.isLogin(current)
        && !QuizData.isRunning(QuizData.quiz(current))) {
      store.destroy(current.id()).block(storeTimeout); // the browser switched users
    }
    loginsAccepted.increment();
    return new Login(created.id(), view(created));
  }

  void logout(String sessionId) {
    Session session = requireSession(sessionId);
    if (QuizData.isRunning(QuizData.quiz(session))) {
      throw new ApiException(409, "a quiz is in progress: submit it (or let its time run out) first");
    }
    store.destroy(session.id()).block(storeTimeout);
  }

  Map<String, Object> start(String sessionId) {
    requireWellFormed(sessionId);
    Instant now = clock.instant();
    Instant deadline = now.plus(quizDuration);
    String attemptId = newAttemptId();
    List<Map<String, Object>> questions = Questions.draw(questionCount, ThreadLocalRandom.current());
    Map<String, Object> quiz = QuizData.newQuiz(attemptId, now, deadline, questions);
    Session started;
    try {
      started = store.update(sessionId, current -> {
        requireLogin(current);
        if (QuizData.isRunning(QuizData.quiz(current))) {
          throw new ApiException(409, "a quiz is already in progress in this browser");
        }
        return current.withPrincipal(QuizData.user(current), true)
            .withDeadline(deadline)
            .withAttribute(QUIZ, quiz);
      }).block(storeTimeout);
    } catch (PrincipalConflictException e) {
      startsRefused.increment();
      throw new ApiException(409, "quiz in progress in another browser");
    }
    if (started == null) {
      throw notLoggedIn();
    }
    quizzesStarted.increment();
    register(started.id(), attemptId, deadline);
    return view(started);
  }

  Map<String, Object> answer(String sessionId, Object questionValue, Object choiceValue) {
    requireWellFormed(sessionId);
    if (!(questionValue instanceof Long) || !(choiceValue instanceof Long)) {
      throw new ApiException(400, "expected {\"question\": <id>, \"choice\": <index>} with integers");
    }
    long question = (Long) questionValue;
    long choice = (Long) choiceValue;
    Instant now = clock.instant();
    Session saved;
    try {
      saved = store.update(sessionId, current -> {
        Map<String, Object> quiz = requireQuiz(current);
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
          throw new ApiException(400, "question " + question + " has no choice " + choice);
        }
        Map<String, Object> answers = new LinkedHashMap<>(QuizData.answers(quiz));
        answers.put(Long.toString(question), choice);
        return current.withAttribute(QUIZ, QuizData.with(quiz, ANSWERS, answers));
      }).block(storeTimeout);
    } catch (ApiException e) {
      answersRejected.increment();
      throw e;
    }
    if (saved == null) {
      answersRejected.increment();
      throw notLoggedIn();
    }
    answersAccepted.increment();
    Map<String, Object> quiz = QuizData.quiz(saved);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("accepted", true);
    body.put("question", question);
    body.put("choice", choice);
    body.put("answered", (long) QuizData.answers(quiz).size());
    return body;
  }

  Map<String, Object> submit(String sessionId) {
    requireWellFormed(sessionId);
    Instant now = clock.instant();
    Session frozen = store.update(sessionId, current -> {
      Map<String, Object> quiz = requireQuiz(current);
      if (!QuizData.isRunning(quiz)) {
        throw new ApiException(409, "the quiz was already submitted");
      }
      if (!now.isBefore(QuizData.deadline(quiz))) {
        throw new ApiException(410, "time is up: the quiz is evaluated automatically");
      }
      // One write ends the quiz: no more answers, no deadline (so no EXPIRED evaluation), and the
      // user's exclusive claim released so another browser may log in again.
      return current.withPrincipal(QuizData.user(current), false)
          .withDeadline(null)
          .withAttribute(QUIZ, QuizData.with(quiz, STATUS, SUBMITTED, SUBMITTED_AT, now));
    }).block(storeTimeout);
    if (frozen == null) {
      throw notLoggedIn();
    }
    active.remove(frozen.id());
    Map<String, Object> quiz = QuizData.quiz(frozen);
    Map<String, Object> result = QuizData.evaluate(QuizData.user(frozen), quiz, "submit", now);
    Map<String, Object> recorded = record(QuizData.user(frozen), result);
    String attemptId = QuizData.attemptId(quiz);
    // Best effort: show the result in the session too; the results session is the record.
    store.update(frozen.id(), current -> {
      Map<String, Object> q = QuizData.quiz(current);
      return q != null && attemptId.equals(QuizData.attemptId(q))
          ? current.withAttribute(QUIZ, QuizData.with(q, RESULT, recorded)) : current;
    }).onErrorResume(e -> Mono.empty()).block(storeTimeout);
    return withTicksApplied(recorded);
  }

  Map<String, Object> state(String sessionId) {
    return view(requireSession(sessionId));
  }

  Map<String, Object> results(String user) {
    if (user == null || !USER_NAME.matcher(user).matches()) {
      throw new ApiException(400, "user must be 1 to 40 characters from A-Z a-z 0-9 . _ @ -");
    }
    Session results = store.get(QuizData.resultsId(user)).block(storeTimeout);
    List<Object> attempts = new ArrayList<>();
    if (results != null && RESULTS.equals(results.attribute(KIND))
        && results.attribute(ATTEMPTS) != null) {
      for (Object attempt : QuizData.list(results.attribute(ATTEMPTS))) {
        attempts.add(withTicksApplied(QuizData.map(attempt)));
      }
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(USER, user);
    body.put(ATTEMPTS, attempts);
    return body;
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
    stats.put("activeQuizzes", (long) active.size());
    stats.put("cleanupRuns", cleanupRuns.sum());
    stats.put("quizSeconds", quizDuration.toMillis() / 1000.0);
    return stats;
  }

  // ---------------------------------------------------------------- ticks, expiry, evaluation

  private void register(String sessionId, String attemptId, Instant deadline) {
    AtomicLong applied = tickLedger.computeIfAbsent(attemptId, id -> new AtomicLong());
    active.put(sessionId, new ActiveQuiz(sessionId, attemptId, deadline, applied));
  }

  /** Writes remaining time and a tick count into every running quiz, one write in flight per quiz. */
  private void tick() {
    try {
      Instant now = clock.instant();
      for (ActiveQuiz quiz : active.values()) {
        if (!quiz.inFlight.compareAndSet(false, true)) {
          continue;
        }
        long remaining = Math.max(0, quiz.deadline.toEpochMilli() - now.toEpochMilli());
        store.update(quiz.sessionId, current -> {
          Map<String, Object> q = QuizData.isLogin(current) ? QuizData.quiz(current) : null;
          if (q == null || !quiz.attemptId.equals(QuizData.attemptId(q)) || !QuizData.isRunning(q)) {
            throw new QuizOver();
          }
          long ticks = ((Long) q.get(TICKS)) + 1;
          return current.withAttribute(QUIZ, QuizData.with(q, TICKS, ticks, REMAINING_MS, remaining));
        })
            .map(written -> Boolean.TRUE)
            .defaultIfEmpty(Boolean.FALSE)
            .timeout(storeTimeout)
            .subscribe(written -> {
              quiz.inFlight.set(false);
              if (written) {
                quiz.ticksApplied.incrementAndGet();
                ticksApplied.increment();
              } else {
                active.remove(quiz.sessionId, quiz); // expired or destroyed: EXPIRED takes over
              }
            }, error -> {
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
   * every {@code cleanupInterval}, one minute by default) still emits EXPIRED within about a second of
   * a deadline. For the memory store it is cheap and changes nothing.
   */
  private void cleanup() {
    if (!cleanupInFlight.compareAndSet(false, true)) {
      return;
    }
    store.cleanup().timeout(storeTimeout).subscribe(
        removed -> cleanupRuns.increment(),
        error -> {
          cleanupInFlight.set(false);
          LOG.log(System.Logger.Level.WARNING, "cleanup failed: " + error);
        },
        () -> cleanupInFlight.set(false));
  }

  private void onExpired(SessionEvent event) {
    try {
      Session last = event.session();
      if (!QuizData.isLogin(last)) {
        return;
      }
      active.remove(event.sessionId());
      Map<String, Object> quiz = QuizData.quiz(last);
      if (!QuizData.isRunning(quiz)) {
        return; // an idle login, or a quiz submitted earlier
      }
      expiredEvents.increment();
      Map<String, Object> result = QuizData.evaluate(QuizData.user(last), quiz, "deadline",
          event.at());
      for (int attempt = 1; ; attempt++) {
        try {
          record(QuizData.user(last), result);
          return;
        } catch (RuntimeException e) {
          if (attempt == 3) {
            throw e;
          }
          Thread.sleep(200L * attempt);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      evaluationFailures.increment();
      LOG.log(System.Logger.Level.ERROR, "could not evaluate an expired quiz", e);
    }
  }

  /**
   * Stores a result in the user's results session unless the attempt already has one.
   *
   * @return the stored result (the earlier one for a duplicate)
   */
  private Map<String, Object> record(String user, Map<String, Object> result) {
    String resultsId = QuizData.resultsId(user);
    for (int round = 0; round < 2; round++) {
      ensureResultsSession(user);
      try {
        Session stored = store.update(resultsId, current -> QuizData.appendAttempt(current, result))
            .block(storeTimeout);
        if (stored != null) {
          if ("submit".equals(result.get("evaluatedBy"))) {
            evaluatedOnSubmit.increment();
          } else {
            evaluatedOnDeadline.increment();
          }
          return result;
        }
        resultsReady.remove(user); // the results session vanished (cleared?): make it again
      } catch (QuizData.DuplicateEvaluation e) {
        duplicateEvaluations.increment();
        LOG.log(System.Logger.Level.WARNING, "attempt " + result.get(ATTEMPT_ID)
            + " was evaluated already; the second evaluation is dropped");
        return e.existing();
      }
    }
    throw new IllegalStateException("the results session of " + user + " cannot be created");
  }

  /**
   * Makes sure the user's results session exists, once per user and process: {@code save} is an
   * upsert, so only this process's single creation may write an empty one.
   */
  private void ensureResultsSession(String user) {
    Mono<Void> ready = resultsReady.computeIfAbsent(user, u -> {
      String id = QuizData.resultsId(u);
      return store.get(id).hasElement().flatMap(exists -> {
        if (exists) {
          return Mono.<Void>empty();
        }
        Instant now = clock.instant();
        Session fresh = Session.builder(id)
            .data(SessionData.of(Map.of(KIND, RESULTS, USER, u, ATTEMPTS, List.of())))
            .createdAt(now)
            .lastAccessedAt(now)
            .maxIdle(null)
            .build();
        return store.save(fresh).then();
      }).cache();
    });
    try {
      ready.block(storeTimeout);
    } catch (RuntimeException e) {
      resultsReady.remove(user, ready);
      throw e;
    }
  }

  /** Re-registers the running quizzes found in a persistent store, so that they tick again. */
  private void recoverRunningQuizzes() {
    try {
      store.all()
          .filter(s -> QuizData.isLogin(s) && QuizData.isRunning(QuizData.quiz(s)))
          .doOnNext(s -> {
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

  private Map<String, Object> withTicksApplied(Map<String, Object> result) {
    AtomicLong applied = tickLedger.get(String.valueOf(result.get(ATTEMPT_ID)));
    if (applied == null) {
      return result;
    }
    Map<String, Object> copy = new LinkedHashMap<>(result);
    copy.put("ticksApplied", applied.get());
    return copy;
  }

  private Map<String, Object> view(Session session) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(USER, QuizData.user(session));
    body.put("serverTime", clock.instant());
    Map<String, Object> quiz = QuizData.quiz(session);
    if (quiz == null) {
      body.put(QUIZ, null);
      return body;
    }
    Map<String, Object> view = new LinkedHashMap<>(quiz);
    view.put(QUESTIONS, Questions.forClient(QuizData.list(quiz.get(QUESTIONS))));
    if (QuizData.isRunning(quiz)) {
      view.put("remainingMsNow",
          Math.max(0, QuizData.deadline(quiz).toEpochMilli() - clock.millis()));
    }
    body.put(QUIZ, view);
    return body;
  }

  private Session requireSession(String sessionId) {
    requireWellFormed(sessionId);
    Session session = store.get(sessionId).block(storeTimeout);
    if (session == null) {
      throw notLoggedIn();
    }
    requireLogin(session);
    return session;
  }

  private static void requireWellFormed(String sessionId) {
    if (!Session.isWellFormedId(sessionId)) {
      throw notLoggedIn();
    }
  }

  private static void requireLogin(Session session) {
    // Results sessions have guessable ids; they must never work as a login cookie.
    if (!QuizData.isLogin(session)) {
      throw notLoggedIn();
    }
  }

  private static Map<String, Object> requireQuiz(Session session) {
    requireLogin(session);
    Map<String, Object> quiz = QuizData.quiz(session);
    if (quiz == null) {
      throw new ApiException(409, "no quiz was started");
    }
    return quiz;
  }

  private static ApiException notLoggedIn() {
    return new ApiException(401,
        "no live session: log in (a session ends when its quiz's time is up)");
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

  /** Stops the timers and the evaluator, letting queued evaluations finish; the store stays open. */
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
