package dev.sessionstore.examples.quiz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Makes the questions of a quiz: small arithmetic with four choices, so that a person can answer
 * them and a program can check them. Each question is a session-storable map {@code {id, text,
 * choices, correct}}; {@link #forClient(List)} strips {@code correct} before anything leaves the
 * server. Stateless and thread-safe.
 */
final class Questions {

  private Questions() {}

  /**
   * Draws the questions of one attempt.
   *
   * @param count how many
   * @param random the source of randomness
   * @return the questions, ids 1 to {@code count}
   */
  static List<Map<String, Object>> draw(int count, RandomGenerator random) {
    List<Map<String, Object>> questions = new ArrayList<>(count);
    for (int id = 1; id <= count; id++) {
      long a = 2 + random.nextInt(12);
      long b = 2 + random.nextInt(12);
      int kind = random.nextInt(3);
      long correctValue;
      String text;
      if (kind == 0) {
        correctValue = a + b;
        text = a + " + " + b;
      } else if (kind == 1) {
        correctValue = a * b;
        text = a + " × " + b;
      } else {
        correctValue = a;
        text = (a + b) + " − " + b;
      }
      List<Long> values = new ArrayList<>(4);
      values.add(correctValue);
      long delta = 1;
      while (values.size() < 4) {
        long candidate = random.nextBoolean() ? correctValue + delta : correctValue - delta;
        if (candidate >= 0 && !values.contains(candidate)) {
          values.add(candidate);
        }
        delta += 1 + random.nextInt(3);
      }
      // Shuffle so that the correct choice sits anywhere.
      for (int i = values.size() - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        Long swap = values.get(i);
        values.set(i, values.get(j));
        values.set(j, swap);
      }
      List<String> choices = new ArrayList<>(4);
      for (Long value : values) {
        choices.add(Long.toString(value));
      }
      Map<String, Object> question = new LinkedHashMap<>();
      question.put("id", (long) id);
      question.put("text", text + " = ?");
      question.put("choices", choices);
      question.put("correct", (long) values.indexOf(correctValue));
      questions.add(question);
    }
    return questions;
  }

  /**
   * Returns the questions without their correct choices, for the client.
   *
   * @param questions the stored questions
   * @return copies without {@code correct}
   */
  static List<Map<String, Object>> forClient(List<?> questions) {
    List<Map<String, Object>> out = new ArrayList<>(questions.size());
    for (Object question : questions) {
      Map<String, Object> copy = new LinkedHashMap<>(QuizData.map(question));
      copy.remove("correct");
      out.add(copy);
    }
    return out;
  }
}
