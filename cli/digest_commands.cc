// `signaal digest subscribe|fetch` (council secretaries) and `signaal keys
// generate`: a subscriber's CURVE DEALER to the broker's public port.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "wire.pb.h"
#include "digest_render.h"
#include "signaal/files.h"
#include "signaal/keys.h"
#include "signaal/period.h"
#include "signaal/program.h"
#include "signaal/numbers.h"
#include "signaal/text.h"
#include "signaal/zmq_util.h"

namespace signaal::cli {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

struct DigestOptions {
  std::string broker, broker_key, key_file, out, formats = "html,json,md,csv", regions, period, region, format = "json";
  std::string lang = "nl", themes, exec;
  bool once = false, json = false;
  // The broker builds a fetched digest on demand, perhaps behind others on
  // its digest worker: seconds.
  int timeout_s = 120;
};

// Keeps only the themes asked for (and the total); every theme when empty.
void KeepThemes(wire::Digest& d, const std::vector<std::string>& themes) {
  if (themes.empty()) return;
  auto* list = d.mutable_themes();
  list->erase(std::remove_if(list->begin(), list->end(),
                             [&](const wire::DigestCell& c) {
                               return std::find(themes.begin(), themes.end(), c.code()) == themes.end();
                             }),
              list->end());
}

// Runs the subscriber's --exec command for a new digest through /bin/sh, with
// the files it wrote as arguments and the digest named in the environment.
// A failing command is reported; the digest stays written and is not retried.
void RunExec(const std::string& command, const wire::Digest& d, const std::vector<std::string>& files) {
  pid_t pid = fork();
  if (pid < 0) {
    std::cerr << "signaal: --exec: cannot start the command\n";
    return;
  }
  if (pid == 0) {
    setenv("SIGNAAL_DIGEST_REGION", d.region().c_str(), 1);
    setenv("SIGNAAL_DIGEST_PERIOD", d.period().c_str(), 1);
    setenv("SIGNAAL_DIGEST_SEQUENCE", std::to_string(d.sequence()).c_str(), 1);
    std::vector<char*> argv = {const_cast<char*>("/bin/sh"), const_cast<char*>("-c"),
                               const_cast<char*>(command.c_str()), const_cast<char*>("signaal-digest")};
    for (const auto& f : files) argv.push_back(const_cast<char*>(f.c_str()));
    argv.push_back(nullptr);
    execv("/bin/sh", argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "signaal: --exec for " << d.region() << " " << d.period() << " failed (exit "
              << (WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) << ")\n";
  }
}

// The sequence of the newest digest written to `dir`; 0 when there is none.
Result<uint64_t> ReadCursor(const std::string& dir) {
  const std::string path = dir + "/.cursor";
  if (!fs::exists(path)) return uint64_t{0};
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::string_view digits = *text;
  while (!digits.empty() && (digits.back() == '\n' || digits.back() == '\r')) digits.remove_suffix(1);
  auto cursor = ParseUint64(digits, path);
  if (!cursor.ok()) {
    return Status::Usage(cursor.status().message() + "; remove it to receive every digest again");
  }
  return cursor;
}

int Subscribe(const DigestOptions& o) {
  auto keys = ReadKeyFile(o.key_file);
  if (!keys.ok()) return Report(keys.status());
  auto formats = SplitList(o.formats);
  if (Status s = CheckFormats(formats); !s.ok()) return Report(s);
  if (Status s = MakeDirs(o.out, 0755); !s.ok()) return Report(s);
  auto read_cursor = ReadCursor(o.out);
  if (!read_cursor.ok()) return Report(read_cursor.status());
  uint64_t cursor = *read_cursor;

  zmq::context_t ctx(1);
  zmq::socket_t sock(ctx, zmq::socket_type::dealer);
  MakeCurveClient(sock, keys->curve, o.broker_key, 64 * 1024 * 1024);
  sock.set(zmq::sockopt::linger, 0);
  HandshakeWatch watch(ctx, sock, "subscriber");
  sock.connect(o.broker);
  const std::atomic<bool>& stop = StopRequested();

  wire::ClientMessage sub;
  sub.set_schema(wire::SCHEMA_V1);
  for (const auto& r : SplitList(o.regions)) sub.mutable_subscribe()->add_regions(r);
  auto send_subscribe = [&] {
    sub.mutable_subscribe()->set_after_sequence(cursor);
    SendProto(sock, sub);
  };
  send_subscribe();
  auto last_subscribe = std::chrono::steady_clock::now();
  auto last_activity = last_subscribe;
  bool connected = false;
  while (!stop) {
    zmq::pollitem_t items[] = {{sock.handle(), 0, ZMQ_POLLIN, 0}, {watch.socket().handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, 2, 200ms);
    auto now = std::chrono::steady_clock::now();
    if (items[1].revents & ZMQ_POLLIN) {
      auto ev = watch.Drain();
      if (ev.refused) {
        return Report(Status::Refused("refused by broker " + o.broker +
                                      ": this key is not enrolled as a subscriber (or was revoked)"));
      }
      if (ev.connected) connected = true;
    }
    if (items[0].revents & ZMQ_POLLIN) {
      std::vector<zmq::message_t> frames;
      while (RecvBounded(sock, frames, 1)) {
        last_activity = now;
        wire::BrokerMessage m;
        if (!m.ParseFromArray(frames[0].data(), static_cast<int>(frames[0].size()))) continue;
        if (m.has_nack()) {
          std::cerr << "signaal: broker refused: " << EscapeText(m.nack().reason()) << " ("
                    << EscapeText(m.nack().detail()) << ")\n";
          if (m.nack().reason() == "revoked" || m.nack().reason() == "unknown-region" ||
              m.nack().reason() == "outside-area") {
            return 4;
          }
          continue;
        }
        if (!m.has_digest()) continue;
        wire::Digest d = m.digest().digest();
        if (d.sequence() != 0 && d.sequence() <= cursor) continue;  // already written
        // Refused, and the subscriber stops: a broker that names a digest
        // so is broken or hostile, and would send it again at every
        // Subscribe. Checked before --exec sees the names too.
        if (Status s = CheckDigestNames(d); !s.ok()) return Report(s);
        KeepThemes(d, SplitList(o.themes));
        std::vector<std::string> written;
        if (Status s = WriteDigest(d, o.out, formats, o.lang, written); !s.ok()) return Report(s);
        // The cursor moves only after the files are in place.
        if (d.sequence() > cursor) {
          cursor = d.sequence();
          if (Status s = WriteFileAtomic(o.out + "/.cursor", std::to_string(cursor) + "\n", 0644); !s.ok()) {
            return Report(s);
          }
        }
        for (const auto& w : written) std::cout << "wrote " << w << "\n";
        std::cout.flush();
        if (!o.exec.empty()) RunExec(o.exec, d, written);
      }
    }
    if (now - last_subscribe > 10s) {  // keep-alive; re-registers after a broker restart
      send_subscribe();
      last_subscribe = now;
    }
    if (o.once && connected && now - last_activity > 2s) break;
    if (o.once && !connected && now - last_activity > 10s) {
      return Report(Status::Unreachable("no answer from " + o.broker + " within 10 s; is the broker running?"));
    }
  }
  return 0;
}

int Fetch(const DigestOptions& o) {
  auto keys = ReadKeyFile(o.key_file);
  if (!keys.ok()) return Report(keys.status());
  if (Status s = CheckFormats({o.format}); !s.ok()) return Report(s);
  // Refused here with the broker's own sentence, without the round trip, and
  // sent normalised so "2026-h1" names the same digest and file.
  auto period = ParsePeriod(o.period);
  if (!period.ok()) return Report(period.status());
  wire::ClientMessage req;
  req.set_schema(wire::SCHEMA_V1);
  req.mutable_digest_request()->set_period(period->label);
  req.mutable_digest_request()->set_region(o.region);
  auto r = Call<wire::BrokerMessage>(o.broker, &keys->curve, o.broker_key, req, std::chrono::seconds(o.timeout_s),
                                     64 * 1024 * 1024);
  if (!r.ok()) return Report(r.status());
  if (r->has_nack()) {
    return Report(Status::Refused("the broker refused: " + r->nack().detail() + " (" + r->nack().reason() + ")"));
  }
  if (!r->has_digest()) return Report(Status::Runtime("the broker sent no digest"));
  const auto& d = r->digest().digest();
  // Whether or not it names a file: a broker that answers with such names
  // is not to be believed on the rest either.
  if (Status s = CheckDigestNames(d); !s.ok()) return Report(s);
  if (o.out.empty()) {
    std::cout << RenderDigest(d, o.format, o.lang);
    return 0;
  }
  std::vector<std::string> written;
  if (fs::is_directory(o.out)) {
    if (Status s = WriteDigest(d, o.out, {o.format}, o.lang, written); !s.ok()) return Report(s);
  } else {
    if (Status s = WriteFileAtomic(o.out, RenderDigest(d, o.format, o.lang), 0644); !s.ok()) return Report(s);
    written.push_back(o.out);
  }
  std::cout << "wrote " << written.front() << "\n";
  return 0;
}

}  // namespace

Status CheckFormats(const std::vector<std::string>& formats) {
  for (const auto& f : formats) {
    if (f != "json" && f != "md" && f != "html" && f != "csv") {
      return Status::Usage("--format: '" + f + "' is not one of " + kDigestFormats);
    }
  }
  return Status::Ok();
}

// Writes every format of `digest` under `dir`, each atomically. The region
// and period the broker sent name the path only once checked
// (DigestFileName): a digest for "../../x" is refused before anything is written.
Status WriteDigest(const wire::Digest& digest, const std::string& dir, const std::vector<std::string>& formats,
                   const std::string& lang, std::vector<std::string>& written) {
  if (Status s = CheckDigestNames(digest); !s.ok()) return s;
  for (const auto& f : formats) {
    auto name = DigestFileName(digest, f);
    if (!name.ok()) return name.status();
    fs::path path = fs::path(dir) / *name;
    if (Status s = MakeDirs(path.parent_path().string(), 0755); !s.ok()) return s;
    if (Status s = WriteFileAtomic(path.string(), RenderDigest(digest, f, lang), 0644); !s.ok()) return s;
    written.push_back(path.string());
  }
  return Status::Ok();
}

void AddDigestCommands(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<DigestOptions>();
  auto* digest = app.add_subcommand("digest", "receive digests (advisory councils)");
  digest->require_subcommand(1);
  auto common = [&](CLI::App* c) {
    c->add_option("--broker", o->broker, "the broker's listen endpoint, tcp://HOST:PORT")->required();
    c->add_option("--broker-key", o->broker_key, "the broker's public key")->required();
    c->add_option("--key", o->key_file, "your key file (signaal keys generate)")->required();
  };
  auto* subscribe = digest->add_subcommand("subscribe", "receive every digest, catching up first; runs until stopped");
  common(subscribe);
  subscribe->add_option("--out", o->out, "folder: OUT/<region>/<period>.<ext>, cursor in OUT/.cursor")->required();
  subscribe->add_option("--format", o->formats, "any of html,json,md,csv (default all four)");
  subscribe->add_option("--lang", o->lang, "nl (default) or en, for html and csv");
  subscribe->add_option("--region", o->regions, "only these regions, comma-separated");
  subscribe->add_option("--theme", o->themes, "only these themes in the files, comma-separated codes");
  subscribe->add_option("--exec", o->exec,
                        "run this shell command for each new digest; the files are $1.., "
                        "$SIGNAAL_DIGEST_REGION and $SIGNAAL_DIGEST_PERIOD name it");
  subscribe->add_flag("--once", o->once, "catch up, then exit when nothing arrives for 2 s");
  subscribe->callback([o, &exit_code] { exit_code = Subscribe(*o); });

  auto* fetch = digest->add_subcommand("fetch", "build and fetch one digest now");
  common(fetch);
  fetch->add_option("--period", o->period, "2026-W41, 2026-W38..2026-W41, 2026-10, 2026-Q4, 2026-H1 or 2026")->required();
  fetch->add_option("--region", o->region, "region (default: your first enrolled region)");
  fetch->add_option("--format", o->format, "html, json, md or csv (default json)");
  fetch->add_option("--lang", o->lang, "nl (default) or en, for html and csv");
  fetch->add_option("--timeout", o->timeout_s, "seconds to wait for the broker to build the digest (default 120)")
      ->check(CLI::Range(1, 3600));
  fetch->add_option("--out", o->out, "file, or folder for <region>/<period>.<ext>; default stdout");
  fetch->callback([o, &exit_code] { exit_code = Fetch(*o); });
}

void AddKeysCommands(CLI::App& app, int& exit_code) {
  auto out = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* keys = app.add_subcommand("keys", "key pairs for subscribers and administrators");
  keys->require_subcommand(1);
  auto* gen = keys->add_subcommand("generate", "write a new CURVE keypair to a 0600 file");
  gen->add_option("--out", *out, "key file to create (never overwritten)")->required();
  gen->add_flag("--json", *json, "print JSON");
  gen->callback([out, json, &exit_code] {
    KeyFile k;
    k.curve = GenerateCurveKeyPair();
    if (Status s = WriteKeyFile(*out, k); !s.ok()) {
      exit_code = Report(s);
      return;
    }
    std::string path = AbsolutePath(*out);
    if (*json) {
      std::cout << nlohmann::json({{"public_key", k.curve.public_key}, {"key_file", path}}).dump(2) << "\n";
    } else {
      std::cout << "wrote " << path << " (keep it secret)\npublic key: " << k.curve.public_key
                << "\nGive the public key to the broker administrator.\n";
    }
    exit_code = 0;
  });
}

}  // namespace signaal::cli
