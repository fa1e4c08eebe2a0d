// juniper_native.node: the Node-API surface of the Cascade-Correlation kernels.
//
// Every entry point validates its arguments (types, lengths against P/K/O/C/ldx, ranges, finiteness of the data)
// and throws a JS TypeError/RangeError naming the parameter; no input can abort the process. Typed arrays are used
// zero-copy. See packages/cascor/src/backend/native-kernels.ts for the TypeScript side.
#include <napi.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "device.h"
#include "dispatch.h"
#include "thread_pool.h"

namespace juniper {
namespace {

constexpr const char* kVersion = "0.1.0";

// ---- property names ---------------------------------------------------------------------------------------------
// (Node-API before version 10 cannot hold references to strings, so keys are not cached across calls.)

enum Key : int {
  kP, kK, kO, kC, kLdx, kX, kE, kErrMean, kSse, kWeights, kActivation, kSettings, kThreads, kMeanCorrection,
  kScoreTrace, kTargets, kDeltas, kPrevSlopes, kErrors, kErrSums, kSigmoidPrimeOffset, kScoreThreshold, kHistory,
  kEpsilon, kMu, kDecay, kPatience, kChangeThreshold, kMaxEpochs, kKeyCount
};
constexpr const char* kKeyNames[kKeyCount] = {
  "P", "K", "O", "C", "ldx", "X", "E", "errMean", "sse", "weights", "activation", "settings", "threads",
  "meanCorrection", "scoreTrace", "targets", "deltas", "prevSlopes", "errors", "errSums", "sigmoidPrimeOffset",
  "scoreThreshold", "history", "epsilon", "mu", "decay", "patience", "changeThreshold", "maxEpochs"};

Napi::Value prop(const Napi::Object& o, Key k) { return o.Get(kKeyNames[k]); }

// ---- argument validation -------------------------------------------------------------------------------------------

struct Where {
  Napi::Env env;
  const char* fn;
  [[noreturn]] void type_error(const std::string& what) const {
    throw Napi::TypeError::New(env, std::string(fn) + ": " + what);
  }
  [[noreturn]] void range_error(const std::string& what) const {
    throw Napi::RangeError::New(env, std::string(fn) + ": " + what);
  }
};

Napi::Object as_object(const Where& w, const Napi::Value& v, const char* name) {
  if (!v.IsObject() || v.IsArray() || v.IsTypedArray()) w.type_error(std::string(name) + " must be an object");
  return v.As<Napi::Object>();
}

double number_value(const Where& w, const Napi::Value& v, const std::string& name) {
  if (!v.IsNumber()) w.type_error(name + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

double finite_value(const Where& w, const Napi::Value& v, const std::string& name) {
  const double x = number_value(w, v, name);
  if (!std::isfinite(x)) w.range_error(name + " must be finite, got " + std::to_string(x));
  return x;
}

int64_t int_value(const Where& w, const Napi::Value& v, const std::string& name, int64_t lo, int64_t hi) {
  const double x = number_value(w, v, name);
  if (!std::isfinite(x) || std::floor(x) != x) w.type_error(name + " must be an integer");
  if (x < static_cast<double>(lo) || x > static_cast<double>(hi))
    w.range_error(name + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                  std::to_string(static_cast<int64_t>(x)));
  return static_cast<int64_t>(x);
}

Napi::Float32Array f32_value(const Where& w, const Napi::Value& v, const std::string& name, int64_t min_len) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    w.type_error(name + " must be a Float32Array");
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  if (static_cast<int64_t>(a.ElementLength()) < min_len)
    w.range_error(name + ".length is " + std::to_string(a.ElementLength()) + ", needs at least " +
                  std::to_string(min_len));
  return a;
}

// True when every x[0..n) is finite: a branch-free scan of the exponent bits (vectorised by the compiler).
bool all_finite(const float* x, int64_t n) {
  uint32_t bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    uint32_t u;
    std::memcpy(&u, x + i, sizeof u);
    bad |= static_cast<uint32_t>((u & 0x7f800000u) == 0x7f800000u);
  }
  return bad == 0;
}

// All of x[0..n) finite.
void check_finite(const Where& w, const float* x, int64_t n, const std::string& name) {
  if (all_finite(x, n)) return;
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i])) w.range_error(name + "[" + std::to_string(i) + "] is not finite");
}

// Rows of a strided matrix: columns [0, cols) of each of `rows` rows finite.
void check_finite_rows(const Where& w, const float* x, int64_t rows, int64_t cols, int64_t ld, const std::string& name) {
  if (ld == cols) {
    if (all_finite(x, rows * cols)) return;
  } else {
    bool ok = true;
    for (int64_t r = 0; r < rows && ok; ++r) ok = all_finite(x + r * ld, cols);
    if (ok) return;
  }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      if (!std::isfinite(x[r * ld + c]))
        w.range_error(name + "[" + std::to_string(r * ld + c) + "] (row " + std::to_string(r) + ", column " +
                      std::to_string(c) + ") is not finite");
}

constexpr int64_t kMaxDim = int64_t{1} << 31;

Settings settings_value(const Where& w, const Napi::Value& v) {
  Napi::Object s = as_object(w, v, "settings");
  Settings r{};
  r.epsilon = finite_value(w, prop(s, kEpsilon), "settings.epsilon");
  r.mu = finite_value(w, prop(s, kMu), "settings.mu");
  r.decay = finite_value(w, prop(s, kDecay), "settings.decay");
  r.patience = static_cast<int>(int_value(w, prop(s, kPatience), "settings.patience", 0, 1 << 30));
  r.changeThreshold = finite_value(w, prop(s, kChangeThreshold), "settings.changeThreshold");
  r.maxEpochs = static_cast<int>(int_value(w, prop(s, kMaxEpochs), "settings.maxEpochs", 0, 1 << 30));
  return r;
}

int threads_value(const Where& w, const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return 0;
  return static_cast<int>(int_value(w, v, "threads", 0, 4096));
}

enum class Dev { Cpu, Cuda, Auto };

Dev device_value(const Where& w, const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return Dev::Auto;
  if (!v.IsString()) w.type_error("device must be \"cpu\", \"cuda\" or \"auto\"");
  const std::string s = v.As<Napi::String>().Utf8Value();
  if (s == "cpu") return Dev::Cpu;
  if (s == "cuda") return Dev::Cuda;
  if (s == "auto") return Dev::Auto;
  w.range_error("device must be \"cpu\", \"cuda\" or \"auto\", got \"" + s + "\"");
}

// ---- candidate phase -------------------------------------------------------------------------------------------

// Parsed, validated candidate-phase call. An async call holds references to every typed array (inputs and outputs)
// so that they outlive the JS call; a sync call needs none.
struct CandidateCall {
  CandidateArgs args{};
  Dev dev = Dev::Auto;
  std::vector<Napi::Reference<Napi::Value>> keep;
  Napi::Reference<Napi::Value> weights, cor, scores;  // outputs (async)
  Napi::Value weights_v, cor_v, scores_v;             // outputs (sync)
  // Filled by run().
  CandidateResult result{};
  bool on_gpu = false;
  std::string fallback;

  void run() {
    if (dev != Dev::Cpu && detect_device().usable() &&
        cuda_wants_candidate(args.P, args.K, args.O, args.C)) {
      if (cuda_candidate_phase(args, result, fallback)) {
        on_gpu = true;
        return;
      }
    }
    result = cpu_candidate_phase(args);
  }
};

std::unique_ptr<CandidateCall> parse_candidate(const Where& w, const Napi::CallbackInfo& info, bool async) {
  Napi::Env env = info.Env();
  auto call = std::make_unique<CandidateCall>();
  Napi::Object in = as_object(w, info[0], "input");
  CandidateArgs& a = call->args;
  a.P = int_value(w, prop(in, kP), "P", 1, kMaxDim);
  a.K = static_cast<int>(int_value(w, prop(in, kK), "K", 1, 1 << 20));
  a.O = static_cast<int>(int_value(w, prop(in, kO), "O", 1, 1 << 16));
  a.C = static_cast<int>(int_value(w, prop(in, kC), "C (pool size)", 1, 1 << 20));
  a.ldx = int_value(w, prop(in, kLdx), "ldx", 1, kMaxDim);
  if (a.ldx < a.K) w.range_error("ldx (" + std::to_string(a.ldx) + ") must be >= K (" + std::to_string(a.K) + ")");
  Napi::Float32Array X = f32_value(w, prop(in, kX), "X", (a.P - 1) * a.ldx + a.K);
  Napi::Float32Array E = f32_value(w, prop(in, kE), "E", a.P * a.O);
  Napi::Float32Array em = f32_value(w, prop(in, kErrMean), "errMean", a.O);
  a.sse = finite_value(w, prop(in, kSse), "sse");
  if (!(a.sse > 0)) w.range_error("sse must be > 0, got " + std::to_string(a.sse));
  Napi::Float32Array W0 = f32_value(w, prop(in, kWeights), "weights", static_cast<int64_t>(a.C) * a.K);
  a.act = static_cast<int>(int_value(w, prop(in, kActivation), "activation", 0, 4));
  a.s = settings_value(w, prop(in, kSettings));
  a.threads = threads_value(w, prop(in, kThreads));
  Napi::Value mc = prop(in, kMeanCorrection);
  if (mc.IsUndefined() || mc.IsNull()) {
    a.textbook = false;
  } else {
    if (!mc.IsString()) w.type_error("meanCorrection must be \"fahlman\" or \"textbook\"");
    const std::string m = mc.As<Napi::String>().Utf8Value();
    if (m == "textbook") a.textbook = true;
    else if (m == "fahlman") a.textbook = false;
    else w.range_error("meanCorrection must be \"fahlman\" or \"textbook\", got \"" + m + "\"");
  }
  Napi::Value tr = prop(in, kScoreTrace);
  a.scoreTrace = nullptr;
  if (!tr.IsUndefined() && !tr.IsNull()) {
    Napi::Float32Array t = f32_value(w, tr, "scoreTrace", static_cast<int64_t>(a.C) * (a.s.maxEpochs + 1));
    a.scoreTrace = t.Data();
    if (async) call->keep.emplace_back(Napi::Persistent(static_cast<Napi::Value>(t)));
  }
  a.X = X.Data();
  a.E = E.Data();
  a.errMean = em.Data();
  a.weights0 = W0.Data();
  check_finite_rows(w, a.X, a.P, a.K, a.ldx, "X");
  check_finite(w, a.E, a.P * a.O, "E");
  check_finite(w, a.errMean, a.O, "errMean");
  check_finite(w, a.weights0, static_cast<int64_t>(a.C) * a.K, "weights");
  call->dev = device_value(w, info[1]);
  if (async)
    for (Napi::Value v : {static_cast<Napi::Value>(X), static_cast<Napi::Value>(E), static_cast<Napi::Value>(em),
                          static_cast<Napi::Value>(W0)})
      call->keep.emplace_back(Napi::Persistent(v));
  // Outputs: three Float32Array views of one ArrayBuffer (one allocation).
  const size_t nw = static_cast<size_t>(a.C) * a.K, nc = static_cast<size_t>(a.C) * a.O, ns = static_cast<size_t>(a.C);
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, (nw + nc + ns) * sizeof(float));
  Napi::Float32Array ow = Napi::Float32Array::New(env, nw, buf, 0);
  Napi::Float32Array oc = Napi::Float32Array::New(env, nc, buf, nw * sizeof(float));
  Napi::Float32Array os = Napi::Float32Array::New(env, ns, buf, (nw + nc) * sizeof(float));
  a.weights = ow.Data();
  a.cor = oc.Data();
  a.scores = os.Data();
  if (async) {
    call->weights = Napi::Persistent(static_cast<Napi::Value>(ow));
    call->cor = Napi::Persistent(static_cast<Napi::Value>(oc));
    call->scores = Napi::Persistent(static_cast<Napi::Value>(os));
  } else {
    call->weights_v = ow;
    call->cor_v = oc;
    call->scores_v = os;
  }
  a.progress = Progress{nullptr, nullptr};
  return call;
}

Napi::Object candidate_result(Napi::Env env, CandidateCall& call, bool async) {
  Napi::Object r = Napi::Object::New(env);
  r.Set("weights", async ? call.weights.Value() : call.weights_v);
  r.Set("correlations", async ? call.cor.Value() : call.cor_v);
  r.Set("scores", async ? call.scores.Value() : call.scores_v);
  r.Set("best", Napi::Number::New(env, call.result.best));
  r.Set("bestScore", Napi::Number::New(env, call.result.bestScore));
  r.Set("epochs", Napi::Number::New(env, call.result.epochs));
  r.Set("end", Napi::Number::New(env, call.result.end));
  r.Set("device", Napi::String::New(env, call.on_gpu ? "cuda" : "cpu"));
  if (!call.fallback.empty()) r.Set("fallback", Napi::String::New(env, call.fallback));
  return r;
}

// Runs `body`, turning any C++ exception into a JS Error (Napi errors pass through).
template <class F>
Napi::Value guarded(const Napi::CallbackInfo& info, const char* fn, F&& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(info.Env(), std::string(fn) + ": out of memory");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string(fn) + ": " + e.what());
  }
}

Napi::Value CandidatePhase(const Napi::CallbackInfo& info) {
  return guarded(info, "candidatePhase", [&]() -> Napi::Value {
    Where w{info.Env(), "candidatePhase"};
    auto call = parse_candidate(w, info, false);
    call->run();
    return candidate_result(info.Env(), *call, false);
  });
}

// Async: the phase runs on a libuv worker thread; progress (epoch, bestScore) goes through a thread-safe function
// at most every `intervalMs` (default 5 ms), plus once at the end.
class CandidateWorker : public Napi::AsyncWorker {
 public:
  CandidateWorker(Napi::Env env, std::unique_ptr<CandidateCall> call, Napi::Function progress, double interval_ms)
      : Napi::AsyncWorker(env, "juniper:candidatePhase"), deferred_(Napi::Promise::Deferred::New(env)),
        call_(std::move(call)), interval_(interval_ms) {
    if (!progress.IsEmpty()) {
      tsfn_ = Napi::ThreadSafeFunction::New(env, progress, "juniper:progress", 0, 1);
      has_tsfn_ = true;
      call_->args.progress = Progress{&CandidateWorker::on_progress, this};
    }
  }
  ~CandidateWorker() override { release(); }
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      call_->run();
      if (has_tsfn_) send(call_->result.epochs, call_->result.bestScore);
    } catch (const std::bad_alloc&) {
      SetError("candidatePhaseAsync: out of memory");
    } catch (const std::exception& e) {
      SetError(std::string("candidatePhaseAsync: ") + e.what());
    } catch (...) {
      SetError("candidatePhaseAsync: unknown failure");
    }
  }
  void OnOK() override {
    release();
    deferred_.Resolve(candidate_result(Env(), *call_, true));
  }
  void OnError(const Napi::Error& e) override {
    release();
    deferred_.Reject(e.Value());
  }

 private:
  struct Event {
    int epoch;
    float score;
  };
  static void on_progress(void* ctx, int epoch, float best) {
    auto* self = static_cast<CandidateWorker*>(ctx);
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double, std::milli>(now - self->last_).count() < self->interval_) return;
    self->last_ = now;
    self->send(epoch, best);
  }
  void send(int epoch, float best) {
    auto* ev = new Event{epoch, best};
    const napi_status st = tsfn_.NonBlockingCall(ev, [](Napi::Env env, Napi::Function cb, Event* e) {
      std::unique_ptr<Event> own(e);
      if (env == nullptr || cb.IsEmpty()) return;
      try {
        cb.Call({Napi::Number::New(env, own->epoch), Napi::Number::New(env, own->score)});
      } catch (const Napi::Error& err) {
        // A throwing progress listener must not take the process down; report it as a warning.
        std::fprintf(stderr, "juniper_native: progress callback threw: %s\n", err.Message().c_str());
      }
    });
    if (st != napi_ok) delete ev;
  }
  void release() {
    if (has_tsfn_) {
      has_tsfn_ = false;
      tsfn_.Release();
    }
  }

  Napi::Promise::Deferred deferred_;
  std::unique_ptr<CandidateCall> call_;
  Napi::ThreadSafeFunction tsfn_;
  bool has_tsfn_ = false;
  double interval_;
  std::chrono::steady_clock::time_point last_{};
};

Napi::Value CandidatePhaseAsync(const Napi::CallbackInfo& info) {
  return guarded(info, "candidatePhaseAsync", [&]() -> Napi::Value {
    Where w{info.Env(), "candidatePhaseAsync"};
    auto call = parse_candidate(w, info, true);
    Napi::Function progress;
    if (info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsNull()) {
      if (!info[2].IsFunction()) w.type_error("progress must be a function");
      progress = info[2].As<Napi::Function>();
    }
    double interval = 5.0;
    if (info.Length() > 3 && !info[3].IsUndefined() && !info[3].IsNull()) {
      interval = finite_value(w, info[3], "progressIntervalMs");
      if (interval < 0) w.range_error("progressIntervalMs must be >= 0");
    }
    auto* worker = new CandidateWorker(info.Env(), std::move(call), progress, interval);
    Napi::Promise p = worker->promise();
    worker->Queue();
    return p;
  });
}

// ---- output phase ----------------------------------------------------------------------------------------------

Napi::Value OutputPhase(const Napi::CallbackInfo& info) {
  return guarded(info, "outputPhase", [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    Where w{env, "outputPhase"};
    Napi::Object in = as_object(w, info[0], "input");
    OutputArgs a{};
    a.P = int_value(w, prop(in, kP), "P", 1, kMaxDim);
    a.K = static_cast<int>(int_value(w, prop(in, kK), "K", 1, 1 << 20));
    a.O = static_cast<int>(int_value(w, prop(in, kO), "O", 1, 1 << 16));
    a.ldx = int_value(w, prop(in, kLdx), "ldx", 1, kMaxDim);
    if (a.ldx < a.K) w.range_error("ldx (" + std::to_string(a.ldx) + ") must be >= K (" + std::to_string(a.K) + ")");
    const int64_t OK = static_cast<int64_t>(a.O) * a.K;
    Napi::Float32Array X = f32_value(w, prop(in, kX), "X", (a.P - 1) * a.ldx + a.K);
    Napi::Float32Array T = f32_value(w, prop(in, kTargets), "targets", a.P * a.O);
    Napi::Float32Array Wt = f32_value(w, prop(in, kWeights), "weights", OK);
    Napi::Float32Array D = f32_value(w, prop(in, kDeltas), "deltas", OK);
    Napi::Float32Array PS = f32_value(w, prop(in, kPrevSlopes), "prevSlopes", OK);
    Napi::Float32Array Er = f32_value(w, prop(in, kErrors), "errors", a.P * a.O);
    Napi::Float32Array Sm = f32_value(w, prop(in, kErrSums), "errSums", a.O);
    a.act = static_cast<int>(int_value(w, prop(in, kActivation), "activation", 0, 4));
    a.offset = finite_value(w, prop(in, kSigmoidPrimeOffset), "sigmoidPrimeOffset");
    a.threshold = finite_value(w, prop(in, kScoreThreshold), "scoreThreshold");
    a.s = settings_value(w, prop(in, kSettings));
    Napi::Float32Array H = f32_value(w, prop(in, kHistory), "history", 2 * (static_cast<int64_t>(a.s.maxEpochs) + 1));
    a.threads = threads_value(w, prop(in, kThreads));
    a.X = X.Data();
    a.T = T.Data();
    a.W = Wt.Data();
    a.D = D.Data();
    a.prevSlopes = PS.Data();
    a.E = Er.Data();
    a.errSums = Sm.Data();
    a.history = H.Data();
    check_finite_rows(w, a.X, a.P, a.K, a.ldx, "X");
    check_finite(w, a.T, a.P * a.O, "targets");
    check_finite(w, a.W, OK, "weights");
    const Dev dev = device_value(w, info[1]);
    OutputResult r{};
    bool on_gpu = false;
    std::string fallback;
    if (dev != Dev::Cpu && detect_device().usable() && cuda_wants_output(a.P, a.K, a.O))
      on_gpu = cuda_output_phase(a, r, fallback);
    if (!on_gpu) r = cpu_output_phase(a);
    Napi::Object o = Napi::Object::New(env);
    o.Set("epochs", Napi::Number::New(env, r.epochs));
    o.Set("epochsRun", Napi::Number::New(env, r.epochsRun));
    o.Set("end", Napi::Number::New(env, r.end));
    o.Set("errorBits", Napi::Number::New(env, static_cast<double>(r.errorBits)));
    o.Set("trueError", Napi::Number::New(env, r.trueError));
    o.Set("sse", Napi::Number::New(env, r.sse));
    o.Set("device", Napi::String::New(env, on_gpu ? "cuda" : "cpu"));
    if (!fallback.empty()) o.Set("fallback", Napi::String::New(env, fallback));
    return o;
  });
}

// fillColumn(X, P, K, ldx, w, activation, device?)
Napi::Value FillColumn(const Napi::CallbackInfo& info) {
  return guarded(info, "fillColumn", [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    Where w{env, "fillColumn"};
    const int64_t P = int_value(w, info[1], "P", 1, kMaxDim);
    const int K = static_cast<int>(int_value(w, info[2], "K", 1, 1 << 20));
    const int64_t ldx = int_value(w, info[3], "ldx", 2, kMaxDim);
    if (ldx <= K) w.range_error("ldx (" + std::to_string(ldx) + ") must exceed K (" + std::to_string(K) + ")");
    Napi::Float32Array X = f32_value(w, info[0], "X", (P - 1) * ldx + K + 1);
    Napi::Float32Array wv = f32_value(w, info[4], "w", K);
    const int act = static_cast<int>(int_value(w, info[5], "activation", 0, 4));
    check_finite_rows(w, X.Data(), P, K, ldx, "X");
    check_finite(w, wv.Data(), K, "w");
    const Dev dev = device_value(w, info[6]);
    std::string why;
    bool on_gpu = false;
    if (dev != Dev::Cpu && detect_device().usable() && cuda_wants_output(P, K, 1))
      on_gpu = cuda_fill_column(X.Data(), P, K, ldx, wv.Data(), act, why);
    if (!on_gpu) cpu_fill_column(X.Data(), P, K, ldx, wv.Data(), act, 0);
    return Napi::String::New(env, on_gpu ? "cuda" : "cpu");
  });
}

// ---- introspection, tests, benchmarks --------------------------------------------------------------------------------

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const DeviceStatus& d = detect_device();
  Napi::Object o = Napi::Object::New(env);
  o.Set("version", Napi::String::New(env, kVersion));
  o.Set("cudaCompiled", Napi::Boolean::New(env, d.compiled));
  o.Set("deviceCount", Napi::Number::New(env, d.count));
  o.Set("cudaError", Napi::Number::New(env, d.error));
  if (!d.name.empty()) o.Set("deviceName", Napi::String::New(env, d.name));
  if (d.sm) o.Set("computeCapability", Napi::Number::New(env, d.sm));
  o.Set("backend", Napi::String::New(env, d.usable() ? "cuda" : "cpu"));
  o.Set("isa", Napi::String::New(env, best_isa()->name));
  o.Set("isas", Napi::String::New(env, supported_isas()));
  o.Set("threads", Napi::Number::New(env, ThreadPool::instance().size()));
  o.Set("cores", Napi::Number::New(env, usable_cores()));
  return o;
}

// setIsa(name | null): forces a kernel set ("avx512" | "avx2" | "generic"); null restores auto-detection.
Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  return guarded(info, "setIsa", [&]() -> Napi::Value {
    Where w{info.Env(), "setIsa"};
    if (info[0].IsUndefined() || info[0].IsNull()) {
      set_isa_override(nullptr);
    } else {
      if (!info[0].IsString()) w.type_error("name must be a string or null");
      const std::string name = info[0].As<Napi::String>().Utf8Value();
      const IsaKernels* k = isa_by_name(name);
      if (!k) w.range_error("kernel set \"" + name + "\" is not available here (available: " + supported_isas() + ")");
      set_isa_override(k);
    }
    return Napi::String::New(info.Env(), best_isa()->name);
  });
}

// activate(x, activation) → { v, fp }: the kernels' vector activation (accuracy tests).
Napi::Value Activate(const Napi::CallbackInfo& info) {
  return guarded(info, "activate", [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    Where w{env, "activate"};
    Napi::Float32Array x = f32_value(w, info[0], "x", 0);
    const int act = static_cast<int>(int_value(w, info[1], "activation", 0, 4));
    const size_t n = x.ElementLength();
    Napi::Float32Array v = Napi::Float32Array::New(env, n), fp = Napi::Float32Array::New(env, n);
    best_isa()->activate(x.Data(), v.Data(), fp.Data(), static_cast<int64_t>(n), act);
    Napi::Object o = Napi::Object::New(env);
    o.Set("v", v);
    o.Set("fp", fp);
    return o;
  });
}

// quickprop(w, d, ps, slopes: Float64Array, eps, decay, mu): the kernels' Quickprop step in place (tests).
Napi::Value Quickprop(const Napi::CallbackInfo& info) {
  return guarded(info, "quickprop", [&]() -> Napi::Value {
    Where w{info.Env(), "quickprop"};
    Napi::Float32Array wt = f32_value(w, info[0], "w", 0);
    const int64_t n = static_cast<int64_t>(wt.ElementLength());
    Napi::Float32Array d = f32_value(w, info[1], "d", n);
    Napi::Float32Array ps = f32_value(w, info[2], "ps", n);
    if (!info[3].IsTypedArray() || info[3].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      w.type_error("slopes must be a Float64Array");
    Napi::Float64Array sl = info[3].As<Napi::Float64Array>();
    if (static_cast<int64_t>(sl.ElementLength()) < n) w.range_error("slopes is shorter than w");
    const double eps = finite_value(w, info[4], "eps"), decay = finite_value(w, info[5], "decay"),
                 mu = finite_value(w, info[6], "mu");
    best_isa()->quickprop(wt.Data(), d.Data(), ps.Data(), sl.Data(), n, eps, decay, mu);
    return info.Env().Undefined();
  });
}

// peakFma(threads = 1, seconds = 0.25) → GFLOP/s of independent FMA chains on the active kernel set.
Napi::Value PeakFma(const Napi::CallbackInfo& info) {
  return guarded(info, "peakFma", [&]() -> Napi::Value {
    Where w{info.Env(), "peakFma"};
    const int threads = info[0].IsUndefined() ? 1 : static_cast<int>(int_value(w, info[0], "threads", 0, 4096));
    const double seconds = info[1].IsUndefined() ? 0.25 : finite_value(w, info[1], "seconds");
    if (seconds <= 0 || seconds > 60) w.range_error("seconds must be in (0, 60]");
    return Napi::Number::New(info.Env(), measure_peak_gflops(best_isa(), threads, seconds));
  });
}

// B6 boundary probes.
Napi::Value Noop(const Napi::CallbackInfo& info) { return info.Env().Undefined(); }

Napi::Value NoopArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(env, "noopArray: x must be a Float32Array");
  Napi::Float32Array a = info[0].As<Napi::Float32Array>();
  return Napi::Number::New(env, a.ElementLength() ? a.Data()[0] : 0.0);
}

class NoopWorker : public Napi::AsyncWorker {
 public:
  explicit NoopWorker(Napi::Env env) : Napi::AsyncWorker(env, "juniper:noop"), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {}
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
};

Napi::Value NoopAsync(const Napi::CallbackInfo& info) {
  auto* w = new NoopWorker(info.Env());
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

Napi::Object InitExports(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  exports.Set("candidatePhase", Napi::Function::New(env, CandidatePhase, "candidatePhase"));
  exports.Set("candidatePhaseAsync", Napi::Function::New(env, CandidatePhaseAsync, "candidatePhaseAsync"));
  exports.Set("outputPhase", Napi::Function::New(env, OutputPhase, "outputPhase"));
  exports.Set("fillColumn", Napi::Function::New(env, FillColumn, "fillColumn"));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa, "setIsa"));
  exports.Set("activate", Napi::Function::New(env, Activate, "activate"));
  exports.Set("peakFma", Napi::Function::New(env, PeakFma, "peakFma"));
  exports.Set("quickprop", Napi::Function::New(env, Quickprop, "quickprop"));
  exports.Set("noop", Napi::Function::New(env, Noop, "noop"));
  exports.Set("noopArray", Napi::Function::New(env, NoopArray, "noopArray"));
  exports.Set("noopAsync", Napi::Function::New(env, NoopAsync, "noopAsync"));
  return exports;
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) { return InitExports(env, exports); }
}  // namespace juniper

static Napi::Object InitJuniperNative(Napi::Env env, Napi::Object exports) { return juniper::Init(env, exports); }

NODE_API_MODULE(juniper_native, InitJuniperNative)
