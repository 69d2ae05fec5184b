// The admin web's API over real HTTPS (docs/web-api.md): a town node and one of its villages,
// each serving its admin web with a self-signed certificate on loopback, people of every role
// logging in, and what each may and may not do.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <future>
#include <set>

#include "admin-web/api.h"
#include "admin-web/tls_certificate.h"
#include "node/config.h"
#include "node/web.h"
#include "programme/fields.h"
#include "programme/schema.h"
#include "programme/users.h"
#include "sync/receipts.h"
#include "tests/admin-web/web_client.h"
#include "tests/node/test_network.h"

namespace fulei::node {
namespace {
namespace json = boost::json;
using testing::RunUntil;
using testing::TestNetwork;
using web::testing::Reply;
using web::testing::WebClient;

constexpr char kCity[] = "jinjiang";
constexpr char kTown[] = "jinjiang/cizao";
constexpr char kVillage[] = "jinjiang/cizao/v01";
constexpr char kOtherVillage[] = "jinjiang/cizao/v02";
constexpr char kPassword[] = "correct horse 8";

class WebApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    net_.Add(kCity, crypto::Role::kCity);
    net_.Add(kTown, crypto::Role::kTown);
    net_.Add(kVillage, crypto::Role::kVillage);
    auto city = net_.Start(io_, net_.Config(kCity, true, 0));
    ASSERT_TRUE(city.ok()) << city.status().ToString();
    city_ = std::move(*city);
    auto town = net_.Start(io_, net_.Config(kTown, true, city_->listen_port()));
    ASSERT_TRUE(town.ok()) << town.status().ToString();
    town_ = std::move(*town);
    auto village = net_.Start(io_, net_.Config(kVillage, false, town_->listen_port()));
    ASSERT_TRUE(village.ok()) << village.status().ToString();
    village_ = std::move(*village);
    ASSERT_TRUE(RunUntil(
        io_, [&] { return village_->upstream_connected(0) && town_->upstream_connected(0); },
        std::chrono::seconds(10)));
    town_web_ = StartWeb(*town_, net_.site(kTown).dir);
    village_web_ = StartWeb(*village_, net_.site(kVillage).dir);
    // People: the village's director and caring parent at the village; the town's supervisor,
    // office, counsellor and auditor at the town; the city bureau at the city.
    AddUser(*town_, "director1", "director", kVillage);
    AddUser(*town_, "parent1", "caring_parent", kVillage, "helper-1");
    AddUser(*town_, "director2", "director", kOtherVillage);
    AddUser(*town_, "super1", "supervisor", kTown);
    AddUser(*town_, "office1", "town_office", kTown);
    AddUser(*town_, "counsel1", "counsellor", kTown);
    AddUser(*town_, "audit1", "auditor", kTown);
    AddUser(*city_, "city1", "city_bureau", kCity);
    // The village learns its people from the town and the town the city's (users replicate
    // down).
    ASSERT_TRUE(RunUntil(
        io_,
        [&] {
          auto u = programme::FindUser(village_->store(), "director1");
          auto c = programme::FindUser(town_->store(), "city1");
          return u.ok() && u->has_value() && c.ok() && c->has_value();
        },
        std::chrono::seconds(10)));
  }

  std::unique_ptr<WebServer> StartWeb(Node& node, const std::string& dir) {
    const std::string cert = dir + "/web-cert.pem", key = dir + "/web-key.pem";
    EXPECT_TRUE(web::MakeSelfSignedCertificate(cert, key, node.unit(), 365).ok());
    DaemonConfig c;
    c.node.unit = node.unit();
    c.web = Endpoint{"127.0.0.1", 0};
    auto w = WebServer::Start(io_, node, c, dir);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_TRUE((*w)->tls());
    return std::move(*w);
  }

  void AddUser(Node& node, const std::string& login, const std::string& role,
               const std::string& unit, const std::string& helper = "") {
    auto key = programme::UserKey(login, unit);
    ASSERT_TRUE(key.ok());
    auto hash = programme::HashPassword(kPassword);
    ASSERT_TRUE(hash.ok());
    programme::Fields values{{"login", {login}},
                             {"role", {role}},
                             {"unit", {unit}},
                             {"password_hash", {*hash}},
                             {"display_name", {login + " 姓名"}}};
    if (!helper.empty()) values["helper"] = {helper};
    auto w = node.Write({programme::UserChange(*key, std::nullopt, values)});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
  }

  // One request from a client thread while this thread runs the nodes.
  Reply Call(WebClient& client, const std::string& method, const std::string& target,
             const std::string& body = "", const std::map<std::string, std::string>& extra = {}) {
    auto future =
        std::async(std::launch::async, [&] { return client.Send(method, target, body, extra); });
    EXPECT_TRUE(RunUntil(
        io_, [&] { return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready; },
        std::chrono::seconds(30)));
    return future.get();
  }

  WebClient LogIn(const WebServer& web, const std::string& login) {
    WebClient c(web.port());
    Reply r = Call(c, "POST", "/api/v1/session",
                   json::serialize(json::object{{"login", login}, {"password", kPassword}}));
    EXPECT_EQ(r.status, 200) << login << ": " << r.body;
    return c;
  }

  std::string NewChild(WebClient& c, const std::string& name, std::string* unit = nullptr) {
    Reply r =
        Call(c, "POST", "/api/v1/records/child",
             json::serialize(json::object{{"fields", json::object{{"name", name},
                                                                  {"gender", "female"},
                                                                  {"birth_date", "2015-03-01"},
                                                                  {"category", "left_behind"},
                                                                  {"consent_on", "2024-01-01"}}}}));
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status != 201) return {};
    if (unit) *unit = std::string(r.json().at("record").at("unit").as_string());
    return std::string(r.json().at("record").at("id").as_string());
  }

  boost::asio::io_context io_;
  TestNetwork net_{"webapi"};
  std::unique_ptr<Node> city_, town_, village_;
  std::unique_ptr<WebServer> town_web_, village_web_;
};

TEST_F(WebApiTest, LoginMeLogoutAndTheSessionCookie) {
  WebClient c(village_web_->port());
  Reply login =
      Call(c, "POST", "/api/v1/session", R"({"login":"director1","password":"correct horse 8"})");
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string cookie = login.headers["set-cookie"];
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(cookie.find("Secure"), std::string::npos);
  EXPECT_EQ(login.json().at("user").at("role").as_string(), "director");
  Reply me = Call(c, "GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.json().at("user").at("unit").as_string(), kVillage);
  EXPECT_EQ(me.json().at("node").at("level").as_string(), "village");
  EXPECT_TRUE(me.json().at("node").at("upstream").at("connected").as_bool()) << me.body;
  EXPECT_NE(me.headers["content-security-policy"].find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(Call(c, "DELETE", "/api/v1/session").status, 204);
  EXPECT_EQ(Call(c, "GET", "/api/v1/me").status, 401);
}

TEST_F(WebApiTest, WrongPasswordsAreThrottledAndUnknownLoginsLookTheSame) {
  WebClient c(village_web_->port());
  Reply unknown = Call(c, "POST", "/api/v1/session", R"({"login":"nobody","password":"xxxxxxxx"})");
  EXPECT_EQ(unknown.status, 401);
  Reply wrong;
  for (int i = 0; i < 2; ++i) {
    wrong = Call(c, "POST", "/api/v1/session", R"({"login":"director1","password":"wrong pw 1"})");
    EXPECT_EQ(wrong.status, 401);
  }
  EXPECT_EQ(unknown.json().at("error").at("message"), wrong.json().at("error").at("message"));
  // The third failure from this address starts the delays; even the right password waits.
  Reply held =
      Call(c, "POST", "/api/v1/session", R"({"login":"director1","password":"correct horse 8"})");
  EXPECT_EQ(held.status, 429) << held.body;
  EXPECT_FALSE(held.headers["retry-after"].empty());
  net_.Advance(3'000);
  Reply after =
      Call(c, "POST", "/api/v1/session", R"({"login":"director1","password":"correct horse 8"})");
  EXPECT_EQ(after.status, 200) << after.body;
  // Every attempt is in the audit log.
  WebClient office = LogIn(*village_web_, "office1");
  Reply audit = Call(office, "GET", "/api/v1/audit?limit=500");
  ASSERT_EQ(audit.status, 200) << audit.body;
  int logins = 0;
  const json::value entries = audit.json();
  for (const json::value& e : entries.at("entries").as_array()) {
    if (e.at("action") == "login") ++logins;
  }
  EXPECT_GE(logins, 4);
}

TEST_F(WebApiTest, WritesWithoutTheCsrfTokenAreRefusedAndStoreNothing) {
  WebClient c = LogIn(*village_web_, "director1");
  const std::string csrf = c.csrf;
  c.csrf.clear();
  Reply r = Call(
      c, "POST", "/api/v1/records/child",
      R"({"fields":{"name":"无令牌","gender":"male","birth_date":"2016-01-01","category":"orphan"}})");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.error_code(), "csrf");
  c.csrf = "0" + csrf.substr(1);
  EXPECT_EQ(Call(c, "POST", "/api/v1/records/child", r.body).status, 403);
  c.csrf = csrf;
  Reply list = Call(c, "GET", "/api/v1/records/child");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.json().at("total").as_int64(), 0);
}

TEST_F(WebApiTest, BadInputIsRefusedNamingTheFieldAndStoresNothing) {
  WebClient c = LogIn(*village_web_, "director1");
  Reply malformed = Call(c, "POST", "/api/v1/records/child", "{not json");
  EXPECT_EQ(malformed.status, 400);
  Reply bad_date = Call(
      c, "POST", "/api/v1/records/child",
      R"({"fields":{"name":"小明","gender":"male","birth_date":"2016-13-01","category":"orphan"}})");
  EXPECT_EQ(bad_date.status, 400) << bad_date.body;
  EXPECT_EQ(bad_date.json().at("error").at("field"), "birth_date") << bad_date.body;
  Reply unknown =
      Call(c, "POST", "/api/v1/records/child", R"({"fields":{"name":"小明","shoe_size":"33"}})");
  EXPECT_EQ(unknown.status, 400);
  Reply big = Call(c, "POST", "/api/v1/records/child", std::string(2 << 20, ' '));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(Call(c, "GET", "/api/v1/records/child").json().at("total").as_int64(), 0);
  EXPECT_EQ(Call(c, "GET", "/api/v1/records/no_such_type").status, 404);
}

TEST_F(WebApiTest, StaleUpdatesGet409AndConflictsAreResolved) {
  WebClient a = LogIn(*village_web_, "director1");
  std::string unit;
  const std::string id = NewChild(a, "李小花", &unit);
  ASSERT_FALSE(id.empty());
  const std::string path = "/api/v1/records/child/" + id + "?unit=" + unit;
  Reply read = Call(a, "GET", path);
  ASSERT_EQ(read.status, 200) << read.body;
  const std::string version(read.json().at("record").at("version").as_string());
  Reply first = Call(a, "PUT", path,
                     json::serialize(json::object{
                         {"version", version}, {"fields", json::object{{"ethnicity", "汉族"}}}}));
  ASSERT_EQ(first.status, 200) << first.body;
  Reply stale = Call(a, "PUT", path,
                     json::serialize(json::object{
                         {"version", version}, {"fields", json::object{{"ethnicity", "回族"}}}}));
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(stale.error_code(), "stale");
  EXPECT_EQ(stale.json().at("error").at("current").at("fields").at("ethnicity"), "汉族");
  // History holds both the name and the ethnicity, newest first; the read was audited.
  Reply again = Call(a, "GET", path);
  bool saw = false;
  const json::value history = again.json();
  for (const json::value& h : history.at("history").as_array()) {
    if (h.at("field") == "ethnicity") saw = h.at("value") == "汉族";
  }
  EXPECT_TRUE(saw);

  // A conflict: the town and the village edit the same field while cut off from each other.
  ASSERT_TRUE(RunUntil(
      io_, [&] { return village_->sync_idle() && town_->sync_idle(); }, std::chrono::seconds(10)));
  village_web_.reset();
  ASSERT_TRUE(village_->Stop().ok());
  village_.reset();
  WebClient s = LogIn(*town_web_, "super1");
  Reply at_town = Call(s, "GET", path);
  ASSERT_EQ(at_town.status, 200) << at_town.body;
  Reply town_edit =
      Call(s, "PUT", path,
           json::serialize(json::object{{"version", at_town.json().at("record").at("version")},
                                        {"fields", json::object{{"phone", "13800000001"}}}}));
  ASSERT_EQ(town_edit.status, 200) << town_edit.body;
  // The village, still cut off (no upstream), writes its own phone.
  auto offline = net_.Start(io_, net_.Config(kVillage, false, 0));
  ASSERT_TRUE(offline.ok());
  village_ = std::move(*offline);
  village_web_ = StartWeb(*village_, net_.site(kVillage).dir);
  WebClient a2 = LogIn(*village_web_, "director1");
  Reply v = Call(a2, "GET", path);
  ASSERT_EQ(v.status, 200);
  Reply village_edit =
      Call(a2, "PUT", path,
           json::serialize(json::object{{"version", v.json().at("record").at("version")},
                                        {"fields", json::object{{"phone", "13900000002"}}}}));
  ASSERT_EQ(village_edit.status, 200) << village_edit.body;
  village_web_.reset();
  ASSERT_TRUE(village_->Stop().ok());
  village_.reset();
  // The link is back: both phones meet.
  auto online = net_.Start(io_, net_.Config(kVillage, false, town_->listen_port()));
  ASSERT_TRUE(online.ok());
  village_ = std::move(*online);
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        auto st = town_->store().Get(crdt::RecordKey{unit, "child", id});
        return st.ok() && *st && (*st)->Field("phone") && (*st)->Field("phone")->conflict();
      },
      std::chrono::seconds(10)));
  Reply conflicted = Call(s, "GET", path);
  ASSERT_EQ(conflicted.json().at("conflicts").as_array().size(), 1u) << conflicted.body;
  EXPECT_EQ(conflicted.json().at("conflicts").at(0).at("field"), "phone");
  Reply resolved = Call(
      s, "POST", "/api/v1/records/child/" + id + "/resolve?unit=" + unit,
      json::serialize(json::object{{"field", "phone"},
                                   {"value", "13900000002"},
                                   {"version", conflicted.json().at("record").at("version")}}));
  ASSERT_EQ(resolved.status, 200) << resolved.body;
  EXPECT_TRUE(resolved.json().at("conflicts").as_array().empty());
  EXPECT_EQ(resolved.json().at("record").at("fields").at("phone"), "13900000002");
}

TEST_F(WebApiTest, AnUrgentReportIsReceivedAndAcknowledgedAcrossTheNodes) {
  WebClient d = LogIn(*village_web_, "director1");
  Reply filed =
      Call(d, "POST", "/api/v1/reports",
           json::serialize(json::object{{"type", "report"},
                                        {"fields", json::object{{"harm", "abuse"},
                                                                {"child_name", "小红"},
                                                                {"reporter_role", "director"},
                                                                {"reporter_name", "张老师"},
                                                                {"reporter_phone", "13800000000"},
                                                                {"description", "孩子身上有伤"},
                                                                {"police_informed", "no"}}}}));
  ASSERT_EQ(filed.status, 201) << filed.body;
  const std::string id(filed.json().at("report").at("id").as_string());
  const std::string unit(filed.json().at("report").at("unit").as_string());
  // The town's receipt comes back to the village.
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        auto rs = sync::ReceiptsFor(village_->store(), unit, "report", id);
        return rs.ok() && !rs->empty();
      },
      std::chrono::seconds(10)));
  Reply at_village = Call(d, "GET", "/api/v1/reports/" + id + "?unit=" + unit);
  ASSERT_EQ(at_village.status, 200) << at_village.body;
  ASSERT_FALSE(at_village.json().at("report").at("receipts").as_array().empty());
  std::set<std::string> receipt_units;
  const json::value report = at_village.json();
  for (const json::value& rc : report.at("report").at("receipts").as_array()) {
    receipt_units.insert(std::string(rc.at("unit").as_string()));
  }
  EXPECT_TRUE(receipt_units.count(kTown)) << at_village.body;
  // The director may not acknowledge; the supervisor does, at the town.
  EXPECT_EQ(Call(d, "POST", "/api/v1/reports/" + id + "/ack?unit=" + unit).status, 403);
  WebClient s = LogIn(*town_web_, "super1");
  Reply listed = Call(s, "GET", "/api/v1/reports");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.json().at("reports").as_array().size(), 1u);
  Reply ack = Call(s, "POST", "/api/v1/reports/" + id + "/ack?unit=" + unit);
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_EQ(ack.json().at("report").at("acks").as_array().size(), 1u);
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        Reply r = Call(d, "GET", "/api/v1/reports/" + id + "?unit=" + unit);
        return r.status == 200 && !r.json().at("report").at("acks").as_array().empty();
      },
      std::chrono::seconds(10)));
}

// Every role at every endpoint: exactly what it should get, 403 (or 404 for a record it may not
// know of) otherwise.
TEST_F(WebApiTest, RoleByEndpointMatrix) {
  WebClient d = LogIn(*village_web_, "director1");
  std::string child_unit;
  const std::string child = NewChild(d, "王小二", &child_unit);
  ASSERT_FALSE(child.empty());
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        auto st = town_->store().Get(crdt::RecordKey{child_unit, "child", child});
        return st.ok() && st->has_value();
      },
      std::chrono::seconds(10)));

  struct Cell {
    std::string method, target, body;
  };
  const std::string child_path = "/api/v1/records/child/" + child + "?unit=" + child_unit;
  const std::vector<std::pair<std::string, Cell>> endpoints = {
      {"list children", {"GET", "/api/v1/records/child?unit=" + std::string(kVillage), ""}},
      {"read child", {"GET", child_path, ""}},
      {"add child",
       {"POST", "/api/v1/records/child",
        R"({"unit":"jinjiang/cizao/v01","fields":{"name":"新","gender":"male","birth_date":"2016-01-01","category":"orphan","consent_on":"2024-01-01"}})"}},
      {"counselling", {"GET", "/api/v1/records/counselling?unit=" + std::string(kVillage), ""}},
      {"stats", {"GET", "/api/v1/stats?unit=" + std::string(kVillage), ""}},
      {"scorecard", {"GET", "/api/v1/scorecard?unit=" + std::string(kTown), ""}},
      {"audit", {"GET", "/api/v1/audit", ""}},
      {"users", {"GET", "/api/v1/users?unit=" + std::string(kVillage), ""}},
      {"export", {"GET", "/api/v1/exports/children.csv?unit=" + std::string(kVillage), ""}},
  };
  // Expected status per role (login at the town node), in the order of `endpoints`, as the
  // programme's visibility table (programme/redact.h) and write policy (write_policy.h) decide:
  // every role sees the plain fields of its subtree (counselling records too; their notes only
  // the counsellor), a director of another village nothing of this one, a caring parent only
  // their own pairings' children (none here), the auditor reads but never writes, the audit log
  // and the scorecards are the town's and the city's.
  const std::map<std::string, std::vector<int>> expected = {
      {"director2", {403, 403, 403, 403, 403, 403, 403, 403, 403}},
      {"super1", {200, 200, 201, 200, 200, 200, 200, 200, 200}},
      {"office1", {200, 200, 201, 200, 200, 200, 200, 200, 200}},
      {"counsel1", {200, 200, 403, 200, 200, 403, 403, 200, 200}},
      {"audit1", {200, 200, 403, 200, 200, 200, 200, 200, 200}},
      {"city1", {200, 200, 201, 200, 200, 200, 200, 200, 200}},
      {"parent1", {200, 403, 403, 403, 403, 403, 403, 200, 403}},
  };
  // What the lists hold: the children of the village (2 once the first three roles that may
  // add one did), none for the caring parent; the village's accounts only for their keepers.
  const std::map<std::string, size_t> users_seen = {{"super1", 0}, {"office1", 2}, {"counsel1", 0},
                                                    {"audit1", 0}, {"city1", 2},   {"parent1", 0}};
  std::string table;
  for (const auto& [login, statuses] : expected) {
    WebClient c = LogIn(*town_web_, login);
    for (size_t i = 0; i < endpoints.size(); ++i) {
      const Cell& cell = endpoints[i].second;
      Reply r = Call(c, cell.method, cell.target, cell.body);
      table += login + " " + endpoints[i].first + ": " + std::to_string(r.status) + "\n";
      EXPECT_EQ(r.status, statuses[i]) << login << " " << endpoints[i].first << ": " << r.body;
      if (endpoints[i].first == "users" && r.status == 200) {
        EXPECT_EQ(r.json().at("users").as_array().size(), users_seen.at(login))
            << login << ": " << r.body;
      }
      if (endpoints[i].first == "list children" && login == "parent1") {
        EXPECT_EQ(r.json().at("total").as_int64(), 0) << r.body;
      }
    }
  }
  std::fprintf(stderr, "%s", table.c_str());
}

TEST_F(WebApiTest, EveryReadOfAChildIsAudited) {
  WebClient d = LogIn(*village_web_, "director1");
  std::string unit;
  const std::string id = NewChild(d, "赵小四", &unit);
  auto before = village_->store().ReadAudit(0, 10000);
  ASSERT_TRUE(before.ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Call(d, "GET", "/api/v1/records/child/" + id + "?unit=" + unit).status, 200);
  }
  auto after = village_->store().ReadAudit(0, 10000);
  ASSERT_TRUE(after.ok());
  int reads = 0;
  for (size_t i = before->size(); i < after->size(); ++i) {
    const std::string& e = (*after)[i].second;
    if (e.rfind("read\t", 0) == 0 && e.find(id) != std::string::npos &&
        e.find("127.0.0.1") != std::string::npos) {
      ++reads;
    }
  }
  EXPECT_EQ(reads, 3);

  // The reads reach the town's audit log with the sync, recorded at the village, with who read
  // and from where; the town office reads them at the town's web.
  auto reads_at_town = [&] {
    return RunUntil(
        io_,
        [&] {
          int n = 0;
          (void)town_->store().ForEach(
              programme::kAudit, unit, [&](const crdt::RecordKey&, const crdt::RecordState& st) {
                auto f = programme::ReadFields(st);
                n += f && programme::OneOr(*f, "action") == "read" &&
                     programme::OneOr(*f, "entry").find(id) != std::string_view::npos;
                return true;
              });
          return n == 3;
        },
        std::chrono::seconds(10));
  };
  ASSERT_TRUE(reads_at_town());
  WebClient office = LogIn(*town_web_, "office1");
  Reply log = Call(office, "GET", "/api/v1/audit?action=read&unit=" + unit);
  ASSERT_EQ(log.status, 200) << log.body;
  int seen = 0;
  const json::value entries = log.json();
  for (const json::value& e : entries.at("entries").as_array()) {
    if (e.at("what").as_string().find(id) == std::string::npos) continue;
    ++seen;
    EXPECT_EQ(std::string(e.at("recorded_at").as_string()), unit) << log.body;
    EXPECT_EQ(e.at("action"), "read");
    EXPECT_EQ(e.at("role"), "director");
    EXPECT_EQ(e.at("login"), "director1");
    EXPECT_EQ(e.at("record").at("type"), "child");
    EXPECT_EQ(e.at("record").at("id").as_string(), id);
    EXPECT_EQ(e.at("from"), "127.0.0.1");
    EXPECT_FALSE(e.at("user").as_string().empty());
  }
  EXPECT_EQ(seen, 3) << log.body;
  // Bad dates are named; a village director reads no audit log, an office not another town's.
  Reply bad = Call(office, "GET", "/api/v1/audit?since=2026-13-01");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("since"), std::string::npos) << bad.body;
  EXPECT_EQ(Call(d, "GET", "/api/v1/audit").status, 403);
  EXPECT_EQ(Call(office, "GET", "/api/v1/audit?unit=jinjiang/anhai").status, 403);
}

TEST_F(WebApiTest, TransferMovesAChildAndItsHistoryToAnotherVillage) {
  WebClient d = LogIn(*village_web_, "director1");
  std::string unit;
  const std::string id = NewChild(d, "迁移儿童", &unit);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(RunUntil(
      io_,
      [&] {
        auto st = town_->store().Get(crdt::RecordKey{unit, "child", id});
        return st.ok() && st->has_value();
      },
      std::chrono::seconds(10)));
  const std::string path = "/api/v1/records/child/" + id + "/transfer?unit=" + unit;
  // A village director may not move a child out of the village's reach.
  EXPECT_EQ(Call(d, "POST", path, R"({"to":"jinjiang/cizao/v02"})").status, 403);
  WebClient o = LogIn(*town_web_, "office1");
  EXPECT_EQ(Call(o, "POST", path, R"({"to":"jinjiang/cizao"})").status, 400);
  Reply moved = Call(o, "POST", path, R"({"to":"jinjiang/cizao/v02","reason":"随父母迁居"})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json().at("record").at("unit"), kOtherVillage);
  EXPECT_EQ(moved.json().at("record").at("fields").at("name"), "迁移儿童");
  Reply old = Call(o, "GET", "/api/v1/records/child/" + id + "?unit=" + unit);
  ASSERT_EQ(old.status, 200) << old.body;
  EXPECT_EQ(old.json().at("record").at("fields").at("moved_to"), kOtherVillage) << old.body;
  EXPECT_FALSE(old.json().at("record").at("fields").as_object().contains("name")) << old.body;
}

TEST_F(WebApiTest, UnitsStatusTypesOverdueAndUsers) {
  WebClient d = LogIn(*village_web_, "director1");
  Reply units = Call(d, "GET", "/api/v1/units");
  ASSERT_EQ(units.status, 200);
  std::map<std::string, std::string> names;
  const json::value u = units.json();
  for (const json::value& x : u.at("units").as_array()) {
    names[std::string(x.at("unit").as_string())] = std::string(x.at("name").as_string());
    if (x.at("unit") == kVillage) {
      EXPECT_TRUE(x.at("self").as_bool());
    }
  }
  EXPECT_EQ(names[kTown], "磁灶镇");
  EXPECT_EQ(names[kCity], "晋江市");
  Reply status = Call(d, "GET", "/api/v1/status");
  ASSERT_EQ(status.status, 200);
  const json::value st = status.json();
  ASSERT_FALSE(st.at("peers").as_array().empty()) << status.body;
  EXPECT_EQ(st.at("peers").at(0).at("unit"), kTown);
  EXPECT_TRUE(st.at("peers").at(0).at("connected").as_bool());
  Reply types = Call(d, "GET", "/api/v1/types");
  ASSERT_EQ(types.status, 200);
  bool child_name = false, no_hash = true;
  const json::value ty = types.json();
  for (const json::value& t : ty.at("types").as_array()) {
    for (const json::value& f : t.at("fields").as_array()) {
      if (t.at("name") == "child" && f.at("name") == "name") child_name = f.at("zh") == "姓名";
      if (f.at("name") == "password_hash") no_hash = false;
    }
  }
  EXPECT_TRUE(child_name);
  EXPECT_TRUE(no_hash);
  EXPECT_EQ(Call(d, "GET", "/api/v1/overdue").status, 200);

  // An office person adds a director, who logs in; disabled, the login is refused.
  WebClient o = LogIn(*town_web_, "office1");
  EXPECT_EQ(
      Call(
          d, "POST", "/api/v1/users",
          R"({"login":"dir9","name":"新主任","role":"director","unit":"jinjiang/cizao/v01","password":"longenough1"})")
          .status,
      403);
  Reply added = Call(
      o, "POST", "/api/v1/users",
      R"({"login":"dir9","name":"新主任","role":"director","unit":"jinjiang/cizao/v01","password":"longenough1"})");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(
      Call(
          o, "POST", "/api/v1/users",
          R"({"login":"dir9","role":"director","unit":"jinjiang/cizao/v01","password":"longenough1"})")
          .status,
      409);
  EXPECT_EQ(
      Call(o, "POST", "/api/v1/users",
           R"({"login":"dir10","role":"director","unit":"jinjiang/cizao/v01","password":"short"})")
          .status,
      400);
  WebClient n(town_web_->port());
  EXPECT_EQ(
      Call(n, "POST", "/api/v1/session", R"({"login":"dir9","password":"longenough1"})").status,
      200);
  Reply disabled = Call(o, "PUT", "/api/v1/users/dir9", R"({"disabled":true})");
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_TRUE(disabled.json().at("user").at("disabled").as_bool());
  WebClient n2(town_web_->port());
  EXPECT_EQ(
      Call(n2, "POST", "/api/v1/session", R"({"login":"dir9","password":"longenough1"})").status,
      401);
  Reply audit = Call(o, "GET", "/api/v1/audit?limit=500");
  int user_changes = 0;
  const json::value entries = audit.json();
  for (const json::value& e : entries.at("entries").as_array()) {
    const std::string action(e.at("action").as_string());
    if (action == "user.add" || action == "user.change") ++user_changes;
  }
  EXPECT_EQ(user_changes, 2) << audit.body;
}

TEST_F(WebApiTest, OpenApiDocumentNamesExactlyTheRoutes) {
  WebClient c(village_web_->port());
  Reply doc = Call(c, "GET", "/api/v1/openapi.json");
  ASSERT_EQ(doc.status, 200);
  std::set<std::string> documented;
  const json::value parsed = doc.json();
  for (const auto& [path, ops] : parsed.at("paths").as_object()) {
    for (const auto& [method, op] : ops.as_object()) {
      std::string m(method);
      for (char& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented.insert(m + " " + std::string(path));
    }
  }
  const std::vector<std::string> routes = web::Api::Routes();
  EXPECT_EQ(documented, std::set<std::string>(routes.begin(), routes.end()));
}

TEST_F(WebApiTest, HealthMetricsAndTheUi) {
  WebClient c(village_web_->port());
  EXPECT_EQ(Call(c, "GET", "/healthz").body, "ok\n");
  Reply metrics = Call(c, "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  for (const char* name : {"fulei_ops_applied_total", "fulei_sync_bytes_total{class=",
                           "fulei_urgent_latency_seconds_bucket", "fulei_peers_up 1",
                           "fulei_store_bytes", "fulei_http_requests_total{status=\"200\"}"}) {
    EXPECT_NE(metrics.body.find(name), std::string::npos) << name;
  }
  Reply index = Call(c, "GET", "/");
  ASSERT_EQ(index.status, 200);
  EXPECT_NE(index.body.find("<div id=\"app\""), std::string::npos) << index.body.substr(0, 300);
  EXPECT_NE(index.headers["content-security-policy"].find("script-src 'self'"), std::string::npos);
}

}  // namespace
}  // namespace fulei::node
