'use strict';
// The quiz page: plain DOM and fetch, no build step. The session cookie is HttpOnly; the page only
// remembers the user name. Every state-changing request echoes the XSRF-TOKEN cookie (which only
// pages of this origin can read) in the X-XSRF-TOKEN header: Spring Security's CSRF defence.

const $ = (id) => document.getElementById(id);
let user = localStorage.getItem('quiz.user') || '';
let quiz = null;          // the running quiz as the server last described it
let clockOffset = 0;      // server time minus local time, in ms
let countdownTimer = null;
let stateTimer = null;

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)XSRF-TOKEN=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : '';
}

async function api(method, path, body) {
  const headers = body ? { 'Content-Type': 'application/json' } : {};
  if (method !== 'GET') {
    if (!csrfToken()) await fetch('/api/csrf', { credentials: 'same-origin' });
    headers['X-XSRF-TOKEN'] = csrfToken();
  }
  const response = await fetch(path, {
    method,
    headers,
    body: body ? JSON.stringify(body) : undefined,
    credentials: 'same-origin',
  });
  let data = {};
  try { data = await response.json(); } catch (e) { /* empty body */ }
  return { status: response.status, data };
}

function show(panel) {
  for (const id of ['login-panel', 'home-panel', 'quiz-panel', 'result-panel']) {
    $(id).hidden = id !== panel;
  }
}

function error(message) {
  $('error').textContent = message || '';
  $('error').hidden = !message;
}

function syncClock(serverTime) {
  if (serverTime) clockOffset = Date.parse(serverTime) - Date.now();
}

async function login(event) {
  event.preventDefault();
  error('');
  const name = $('user').value.trim();
  const { status, data } = await api('POST', '/api/login', { user: name });
  if (status !== 200) {
    error(data.error || ('login failed (' + status + ')'));
    return;
  }
  user = data.user;
  localStorage.setItem('quiz.user', user);
  enter(data);
}

function enter(state) {
  syncClock(state.serverTime);
  $('who').textContent = state.user;
  if (state.quiz && state.quiz.status === 'running') {
    runQuiz(state.quiz);
  } else {
    show('home-panel');
  }
  loadHistory();
}

async function start() {
  error('');
  const { status, data } = await api('POST', '/api/quiz/start');
  if (status !== 200) {
    error(data.error || ('could not start (' + status + ')'));
    if (status === 401) show('login-panel');
    return;
  }
  syncClock(data.serverTime);
  runQuiz(data.quiz);
}

function runQuiz(q) {
  quiz = q;
  const list = $('questions');
  list.replaceChildren();
  for (const question of q.questions) {
    const item = document.createElement('li');
    item.id = 'question-' + question.id;
    const text = document.createElement('span');
    text.textContent = question.text;
    const saved = document.createElement('span');
    saved.className = 'saved';
    saved.id = 'saved-' + question.id;
    const choices = document.createElement('div');
    choices.className = 'choices';
    question.choices.forEach((label, index) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.id = 'choice-' + question.id + '-' + index;
      button.textContent = label;
      button.addEventListener('click', () => answer(question.id, index));
      choices.appendChild(button);
    });
    item.append(text, saved, choices);
    list.appendChild(item);
  }
  markAnswers(q.answers || {});
  $('submit').disabled = false;
  show('quiz-panel');
  clearInterval(countdownTimer);
  clearInterval(stateTimer);
  countdownTimer = setInterval(renderCountdown, 100);
  stateTimer = setInterval(pollState, 1000);
  renderCountdown();
}

function markAnswers(answers) {
  for (const question of quiz.questions) {
    const chosen = answers[String(question.id)];
    question.choices.forEach((_, index) => {
      $('choice-' + question.id + '-' + index).classList.toggle('chosen', chosen === index);
    });
    $('saved-' + question.id).textContent = chosen === undefined ? '' : 'saved';
  }
}

function remainingMs() {
  return Date.parse(quiz.deadline) - (Date.now() + clockOffset);
}

function renderCountdown() {
  if (!quiz) return;
  const left = Math.max(0, remainingMs());
  $('countdown').textContent = (left / 1000).toFixed(1) + ' s';
  $('countdown').classList.toggle('low', left < 10000);
  if (left <= 0) timeUp();
}

async function pollState() {
  if (!quiz) return;
  const { status, data } = await api('GET', '/api/quiz/state');
  if (status === 200 && data.quiz && data.quiz.attemptId === quiz.attemptId) {
    syncClock(data.serverTime);
    if (data.quiz.status === 'running') {
      $('server-remaining').textContent = (data.quiz.remainingMs / 1000).toFixed(1) + ' s';
      $('ticks').textContent = data.quiz.ticks;
      markAnswers(data.quiz.answers || {});
    } else if (data.quiz.result) {
      finish(data.quiz.result);
    } else {
      timeUp(); // the deadline passed: the server evaluates the quiz on the store's EXPIRED event
    }
  }
}

async function answer(questionId, choice) {
  if (!quiz) return;
  error('');
  const { status, data } = await api('POST', '/api/quiz/answer', { question: questionId, choice });
  if (status === 200) {
    const answers = {};
    for (const button of document.querySelectorAll('.choices button.chosen')) {
      const [, q, c] = button.id.split('-');
      answers[q] = Number(c);
    }
    answers[String(questionId)] = choice;
    markAnswers(answers);
  } else {
    error(data.error || ('answer refused (' + status + ')'));
  }
}

async function submit() {
  if (!quiz) return;
  $('submit').disabled = true;
  const { status, data } = await api('POST', '/api/quiz/submit');
  if (status === 200) {
    finish(data);
  } else {
    error(data.error || ('submit refused (' + status + ')'));
    if (status === 410) timeUp();
  }
}

function stopTimers() {
  clearInterval(countdownTimer);
  clearInterval(stateTimer);
}

function finish(result) {
  stopTimers();
  quiz = null;
  if (result) showResult(result);
  loadHistory();
}

async function timeUp() {
  if (!quiz) return;
  const attemptId = quiz.attemptId;
  stopTimers();
  quiz = null;
  $('submit').disabled = true;
  $('countdown').textContent = '0.0 s';
  // The session ended with the deadline; the server evaluates the attempt on the store's EXPIRED
  // event. Wait for that result.
  for (let i = 0; i < 60; i++) {
    const { status, data } = await api('GET', '/api/results/' + encodeURIComponent(user));
    if (status === 200) {
      const result = data.attempts.find((a) => a.attemptId === attemptId);
      if (result) {
        showResult(result);
        loadHistory();
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  error('time is up, but no result arrived; reload the page later');
}

function showResult(result) {
  $('score').textContent = result.score + ' / ' + result.total;
  $('result-note').textContent = result.evaluatedBy === 'submit'
    ? 'Submitted by you.'
    : 'Time ran out: evaluated automatically from the answers saved in time.';
  show('result-panel');
}

async function again() {
  const { status, data } = await api('GET', '/api/quiz/state');
  if (status === 200) {
    enter(data);
  } else {
    $('user').value = user;
    show('login-panel');
  }
}

async function loadHistory() {
  if (!user) return;
  const { status, data } = await api('GET', '/api/results/' + encodeURIComponent(user));
  if (status !== 200 || data.attempts.length === 0) return;
  const list = $('history');
  list.replaceChildren();
  for (const attempt of data.attempts.slice().reverse()) {
    const item = document.createElement('li');
    item.textContent = attempt.score + ' / ' + attempt.total + ' — '
      + (attempt.evaluatedBy === 'submit' ? 'submitted' : 'time ran out') + ' at '
      + new Date(attempt.evaluatedAt).toLocaleTimeString();
    list.appendChild(item);
  }
  $('history-panel').hidden = false;
}

async function logout() {
  const { status, data } = await api('POST', '/api/logout');
  if (status !== 200 && status !== 401) {
    error(data.error || ('logout refused (' + status + ')'));
    return;
  }
  show('login-panel');
}

document.addEventListener('DOMContentLoaded', async () => {
  $('login-form').addEventListener('submit', login);
  $('start').addEventListener('click', start);
  $('submit').addEventListener('click', submit);
  $('again').addEventListener('click', again);
  $('logout').addEventListener('click', logout);
  $('user').value = user;
  const { status, data } = await api('GET', '/api/quiz/state');
  if (status === 200) {
    user = data.user;
    enter(data);
  } else {
    show('login-panel');
  }
});
