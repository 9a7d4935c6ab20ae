package dev.sessionstore.examples.quiz;

import dev.sessionstore.Session;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shapes the quiz keeps in sessions, and the pure functions over them.
 *
 * <p>A <em>login session</em> (the {@code sid} cookie; the user as non-exclusive principal; the
 * store's idle limit) holds {@code kind=login}, {@code user}, {@code resultsId} and, once a quiz
 * starts, {@code quizId} and {@code attemptId} of its latest quiz. A <em>quiz session</em> (never a
 * cookie; the user as <em>exclusive</em> principal; the quiz's deadline) holds {@code kind=quiz},
 * {@code user}, {@code login} (the login session's id), {@code resultsId} and {@code quiz}: {@code
 * {attemptId, status (running|submitted), startedAt, deadline, questions, answers {questionId:
 * choice}, ticks, remainingMs}}. A <em>results session</em> (random id, shared by the user's
 * concurrent logins, no principal) holds {@code kind=results}, {@code user} and {@code attempts}:
 * the evaluated results, newest last; it expires after the results retention without use, and is
 * destroyed when the last login or quiz session that refers to it ends. Stateless and thread-safe.
 */
final class QuizData {

  static final String KIND = "kind";
  static final String LOGIN = "login";
  static final String RESULTS = "results";
  static final String QUIZ_KIND = "quiz";
  static final String LOGIN_ID = "login";
  static final String QUIZ_ID = "quizId";
  static final String RESULTS_ID = "resultsId";
  static final String USER = "user";
  static final String QUIZ = "quiz";
  static final String ATTEMPTS = "attempts";

  static final String ATTEMPT_ID = "attemptId";
  static final String STATUS = "status";
  static final String RUNNING = "running";
  static final String SUBMITTED = "submitted";
  static final String STARTED_AT = "startedAt";
  static final String SUBMITTED_AT = "submittedAt";
  static final String DEADLINE = "deadline";
  static final String QUESTIONS = "questions";
  static final String ANSWERS = "answers";
  static final String TICKS = "ticks";
  static final String REMAINING_MS = "remainingMs";
  static final String RESULT = "result";

  /** Results kept per user; older ones are dropped so the results session stays small. */
  static final int MAX_ATTEMPTS_KEPT = 100;

  private QuizData() {}

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    if (!(value instanceof Map)) {
      throw new IllegalStateException(
          "expected a map in the session, found "
              + (value == null ? "null" : value.getClass().getSimpleName()));
    }
    return (Map<String, Object>) value;
  }

  static List<?> list(Object value) {
    if (!(value instanceof List)) {
      throw new IllegalStateException(
          "expected a list in the session, found "
              + (value == null ? "null" : value.getClass().getSimpleName()));
    }
    return (List<?>) value;
  }

  static boolean isLogin(Session session) {
    return LOGIN.equals(session.attribute(KIND)) && session.attribute(USER) instanceof String;
  }

  static boolean isQuiz(Session session) {
    return QUIZ_KIND.equals(session.attribute(KIND))
        && session.attribute(USER) instanceof String
        && session.attribute(QUIZ) instanceof Map;
  }

  static String user(Session session) {
    return (String) session.attribute(USER);
  }

  /**
   * @return the session's quiz, or {@code null} if none was started
   */
  static Map<String, Object> quiz(Session session) {
    Object quiz = session.attribute(QUIZ);
    return quiz == null ? null : map(quiz);
  }

  static boolean isRunning(Map<String, Object> quiz) {
    return quiz != null && RUNNING.equals(quiz.get(STATUS));
  }

  static String attemptId(Map<String, Object> quiz) {
    return (String) quiz.get(ATTEMPT_ID);
  }

  static Instant deadline(Map<String, Object> quiz) {
    return (Instant) quiz.get(DEADLINE);
  }

  static Map<String, Object> answers(Map<String, Object> quiz) {
    Object answers = quiz.get(ANSWERS);
    return answers == null ? Map.of() : map(answers);
  }

  static Map<String, Object> newQuiz(
      String attemptId, Instant startedAt, Instant deadline, List<Map<String, Object>> questions) {
    Map<String, Object> quiz = new LinkedHashMap<>();
    quiz.put(ATTEMPT_ID, attemptId);
    quiz.put(STATUS, RUNNING);
    quiz.put(STARTED_AT, startedAt);
    quiz.put(DEADLINE, deadline);
    quiz.put(QUESTIONS, questions);
    quiz.put(ANSWERS, Map.of());
    quiz.put(TICKS, 0L);
    quiz.put(REMAINING_MS, deadline.toEpochMilli() - startedAt.toEpochMilli());
    return quiz;
  }

  /** Returns a copy of a quiz with some fields replaced (the stored maps are unmodifiable). */
  static Map<String, Object> with(Map<String, Object> quiz, Object... keysAndValues) {
    Map<String, Object> copy = new LinkedHashMap<>(quiz);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      copy.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return copy;
  }

  /**
   * Finds a question of a quiz.
   *
   * @return the question, or {@code null} if the quiz has no question with that id
   */
  static Map<String, Object> question(Map<String, Object> quiz, long id) {
    for (Object q : list(quiz.get(QUESTIONS))) {
      Map<String, Object> question = map(q);
      if (Long.valueOf(id).equals(question.get("id"))) {
        return question;
      }
    }
    return null;
  }

  /**
   * Scores a quiz from the answers it holds.
   *
   * @param user the candidate
   * @param quiz the quiz's last state
   * @param evaluatedBy {@code submit} or {@code deadline}
   * @param at when it was evaluated
   * @return the result, storable in a session
   */
  static Map<String, Object> evaluate(
      String user, Map<String, Object> quiz, String evaluatedBy, Instant at) {
    Map<String, Object> answers = answers(quiz);
    List<?> questions = list(quiz.get(QUESTIONS));
    long score = 0;
    Map<String, Object> correct = new LinkedHashMap<>();
    for (Object q : questions) {
      Map<String, Object> question = map(q);
      String id = String.valueOf(question.get("id"));
      correct.put(id, question.get("correct"));
      if (question.get("correct").equals(answers.get(id))) {
        score++;
      }
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put(ATTEMPT_ID, attemptId(quiz));
    result.put(USER, user);
    result.put("score", score);
    result.put("total", (long) questions.size());
    result.put(ANSWERS, answers);
    result.put("correct", correct);
    result.put("evaluatedBy", evaluatedBy);
    result.put("evaluatedAt", at);
    result.put(STARTED_AT, quiz.get(STARTED_AT));
    result.put(DEADLINE, quiz.get(DEADLINE));
    result.put(TICKS, quiz.get(TICKS));
    return result;
  }

  /**
   * Makes the id of a new results session: random, so that nobody can guess it, and fresh for each
   * generation of a user's logins, so that results dropped with the last login never come back.
   */
  static String newResultsId(java.util.random.RandomGenerator random) {
    byte[] bytes = new byte[24];
    random.nextBytes(bytes);
    return "quiz-results." + HexFormat.of().formatHex(bytes);
  }

  /**
   * @return the results session id a login or quiz session records into, or null
   */
  static String resultsId(Session session) {
    Object id = session.attribute(RESULTS_ID);
    return id instanceof String s && Session.isWellFormedId(s) ? s : null;
  }

  /**
   * Appends a result to a results session's attempts, unless that attempt is there already, and
   * gives the session the full retention again.
   *
   * @throws DuplicateEvaluation if the attempt was evaluated before
   */
  static Session appendAttempt(
      Session results, Map<String, Object> result, java.time.Duration retention) {
    if (!RESULTS.equals(results.attribute(KIND))) {
      throw new IllegalStateException(
          "session " + Session.redact(results.id()) + " is not a results session");
    }
    Object attemptId = result.get(ATTEMPT_ID);
    List<?> attempts =
        results.attribute(ATTEMPTS) == null ? List.of() : list(results.attribute(ATTEMPTS));
    for (Object attempt : attempts) {
      if (attemptId.equals(map(attempt).get(ATTEMPT_ID))) {
        throw new DuplicateEvaluation(map(attempt));
      }
    }
    List<Object> updated = new ArrayList<>(attempts.size() + 1);
    updated.addAll(
        attempts.size() >= MAX_ATTEMPTS_KEPT
            ? attempts.subList(attempts.size() - MAX_ATTEMPTS_KEPT + 1, attempts.size())
            : attempts);
    updated.add(result);
    return results.withAttribute(ATTEMPTS, updated).withMaxIdle(retention);
  }

  /** Signals, from inside an update, that an attempt already has a result; nothing is written. */
  static final class DuplicateEvaluation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Map<String, Object> existing;

    DuplicateEvaluation(Map<String, Object> existing) {
      super("attempt already evaluated", null, false, false);
      this.existing = existing;
    }

    Map<String, Object> existing() {
      return existing;
    }
  }
}
