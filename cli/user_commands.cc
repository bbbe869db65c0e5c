// `signaal node user …`: the accounts of the node's intake page. The
// password is hashed here (Argon2id, libsodium) and only the hash goes to
// the node: a password never crosses the control socket nor lands in its log.
#include <sodium.h>

#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "signaal/text.h"

namespace signaal::cli {
namespace {

using namespace std::chrono_literals;

struct UserOptions {
  std::string name, role;
  bool password_stdin = false;
  bool json = false;
};

// OWASP's Argon2id floor (19 MiB, 2 passes): a login costs the node about
// 50 ms and 19 MiB for a moment, not the 64 MiB of libsodium's "interactive".
constexpr unsigned long long kOpsLimit = 2;
constexpr size_t kMemLimit = size_t{19} << 20;

// 12 letters and digits without look-alikes (no 0/o, 1/l/i), in three
// groups: "kx7m-p3ta-w9hd", about 60 bits, read aloud or typed on a phone.
std::string NewPassword() {
  static const char kAlphabet[] = "abcdefghjkmnpqrstuvwxyz23456789";
  std::string out;
  for (int i = 0; i < 12; ++i) {
    if (i > 0 && i % 4 == 0) out += '-';
    out += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  }
  return out;
}

Result<std::string> Hash(const std::string& password) {
  if (sodium_init() < 0) return Status::Runtime("libsodium cannot start");
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Runtime("cannot hash the password (out of memory?)");
  }
  return std::string(hash);
}

// The password to set: one line from standard input, or a new one (printed).
Result<std::string> Password(const UserOptions& o, bool* generated) {
  *generated = !o.password_stdin;
  if (!o.password_stdin) return NewPassword();
  std::string line;
  if (!std::getline(std::cin, line)) return Status::Usage("--password-stdin: no line on standard input");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() < 10) return Status::Usage("--password-stdin: a password has at least 10 characters");
  if (line.size() > 256) return Status::Usage("--password-stdin: a password has at most 256 characters");
  return line;
}

nlohmann::json AccountJson(const wire::AccountView& a) {
  return {{"name", a.name()},         {"role", a.role()},
          {"disabled", a.disabled()}, {"created", IsoTimeUtc(a.created_unix())},
          {"created_by", a.created_by()}, {"password_set", IsoTimeUtc(a.password_set_unix())},
          {"signals", a.signals()}};
}

int Run(const std::string& config, wire::AccountRequest::Action action, const UserOptions& o) {
  wire::NodeRequest req;
  auto* a = req.mutable_accounts();
  a->set_action(action);
  a->set_name(o.name);
  if (!o.role.empty()) {
    // Dutch too: the coordinator may think of the roles in Dutch.
    a->set_role(o.role == "vrijwilliger" ? "volunteer" : o.role == "coördinator" || o.role == "coordinator" ? "coordinator" : o.role);
  }
  std::string password;
  bool generated = false;
  if (action == wire::AccountRequest::ADD || action == wire::AccountRequest::RESET) {
    auto p = Password(o, &generated);
    if (!p.ok()) return Report(p.status());
    password = std::move(*p);
    auto hash = Hash(password);
    if (!hash.ok()) return Report(hash.status());
    a->set_password_hash(*hash);
  }
  auto r = AskNodeAt(config, req, 30000ms);
  if (int rc = CheckNode(r)) return rc;
  if (action == wire::AccountRequest::LIST) {
    if (o.json) {
      nlohmann::json all = nlohmann::json::array();
      for (const auto& v : r->accounts().accounts()) all.push_back(AccountJson(v));
      std::cout << all.dump(2) << "\n";
      return 0;
    }
    Table t({"NAME", "ROLE", "STATE", "SIGNALS", "PASSWORD SET", "ADDED BY"});
    for (const auto& v : r->accounts().accounts()) {
      t.Add({v.name(), v.role(), v.disabled() ? "disabled" : "active", std::to_string(v.signals()),
             LocalTime(v.password_set_unix()), EscapeText(v.created_by())});
    }
    std::cout << t.Render();
    if (r->accounts().accounts().empty()) std::cout << "no accounts; add one with `signaal node user add NAME`\n";
    return 0;
  }
  const auto& v = r->accounts().accounts(0);
  if (o.json) {
    auto j = AccountJson(v);
    if (generated) j["password"] = password;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  switch (action) {
    case wire::AccountRequest::ADD: std::cout << "added " << v.role() << " " << v.name() << "\n"; break;
    case wire::AccountRequest::DISABLE:
      std::cout << v.name() << " is disabled: their sessions have ended, they cannot log in\n";
      break;
    case wire::AccountRequest::ENABLE: std::cout << v.name() << " may log in again\n"; break;
    default: std::cout << "new password for " << v.name() << ": their sessions have ended\n"; break;
  }
  if (generated) {
    std::cout << "password: " << password << "\n"
              << "Give it to " << v.name() << " in person or by phone; it is shown only now.\n";
  }
  return 0;
}

}  // namespace

void AddUserCommands(CLI::App& node, std::shared_ptr<const std::string> config, int& exit_code) {
  auto* users = node.add_subcommand("user", "the accounts of the intake page (volunteers and coordinators)");
  users->require_subcommand(1);
  auto o = std::make_shared<UserOptions>();
  auto add = [&](const char* name, const char* help, wire::AccountRequest::Action action) {
    auto* c = users->add_subcommand(name, help);
    if (action != wire::AccountRequest::LIST) c->add_option("NAME", o->name, "the account's name (a-z, 0-9, . - _)")->required();
    c->add_flag("--json", o->json, "print JSON");
    c->callback([o, config, action, &exit_code] { exit_code = Run(*config, action, *o); });
    return c;
  };
  auto* a = add("add", "add an account; prints a new password once (or --password-stdin)", wire::AccountRequest::ADD);
  a->add_option("--role", o->role, "volunteer (default) or coordinator (also reviews quotes, sees the node's status)");
  a->add_flag("--password-stdin", o->password_stdin, "read the password from standard input instead");
  add("list", "every account, its role, state and how many signals it entered", wire::AccountRequest::LIST);
  add("disable", "the account can no longer log in; its sessions end at once", wire::AccountRequest::DISABLE);
  add("enable", "a disabled account may log in again", wire::AccountRequest::ENABLE);
  auto* reset = add("reset", "a new password (printed once, or --password-stdin); sessions end",
                    wire::AccountRequest::RESET);
  reset->add_option("--role", o->role, "change the role too: volunteer or coordinator");
  reset->add_flag("--password-stdin", o->password_stdin, "read the password from standard input instead");
}

}  // namespace signaal::cli
