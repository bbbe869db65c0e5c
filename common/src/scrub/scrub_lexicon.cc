#include "scrub_lexicon.h"

#include <algorithm>
#include <fstream>
#include <functional>

#include "scrub_text.h"
#include "signaal/csv.h"
#include "signaal/files.h"

namespace signaal::scrub {

void WordList::Add(std::string_view word) {
  index_.emplace_back(static_cast<uint32_t>(buffer_.size()), static_cast<uint32_t>(word.size()));
  buffer_ += word;
}

void WordList::Seal() {
  std::sort(index_.begin(), index_.end(), [this](const auto& a, const auto& b) {
    return std::string_view(buffer_).substr(a.first, a.second) < std::string_view(buffer_).substr(b.first, b.second);
  });
  std::string packed;
  std::vector<std::pair<uint32_t, uint32_t>> index;
  for (size_t i = 0; i < index_.size(); ++i) {
    std::string_view w = At(i);
    if (!index.empty() && std::string_view(packed).substr(index.back().first, index.back().second) == w) continue;
    index.emplace_back(static_cast<uint32_t>(packed.size()), static_cast<uint32_t>(w.size()));
    packed += w;
  }
  packed.shrink_to_fit();
  index.shrink_to_fit();
  buffer_ = std::move(packed);
  index_ = std::move(index);
}

bool WordList::Has(std::string_view word) const {
  size_t lo = 0, hi = size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (At(mid) < word) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < size() && At(lo) == word;
}

namespace {

// Each entry of a word list: one per line, '#' comments, lower-cased with
// runs of white space made single spaces.
Status ForEachEntry(const std::string& path, const std::function<void(std::string)>& fn) {
  std::ifstream in(path);
  if (!in) return Status::Runtime(path + ": cannot read the scrubber's word list");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::u32string norm;
    for (char32_t c : DecodeUtf8(line)) {
      bool space = c == U' ' || c == U'\t';
      if (space && (norm.empty() || norm.back() == U' ')) continue;
      norm += space ? U' ' : ToLower(c);
    }
    while (!norm.empty() && norm.back() == U' ') norm.pop_back();
    if (!norm.empty()) fn(Utf8(norm));
  }
  return Status::Ok();
}

// A whole list into `list`, sealed; `longest_words` gets its longest entry's
// number of words (particles: "van der").
Status ReadList(const std::string& path, WordList* list, size_t* longest_words = nullptr) {
  Status read = ForEachEntry(path, [&](std::string entry) {
    if (longest_words) {
      *longest_words = std::max<size_t>(*longest_words, 1 + std::count(entry.begin(), entry.end(), ' '));
    }
    list->Add(entry);
  });
  list->Seal();
  return read;
}

}  // namespace
}  // namespace signaal::scrub

namespace signaal {

Result<std::unique_ptr<ScrubLexicon>> ScrubLexicon::Load(const std::string& dir, const std::string& dictionary) {
  using scrub::ReadList;
  auto lex = std::make_unique<ScrubLexicon>();
  {
    std::ifstream in(dictionary);
    if (!in) {
      return Status::Runtime(dictionary + ": cannot read the Dutch word list the scrubber needs (Debian package wdutch)");
    }
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      std::u32string cps = scrub::DecodeUtf8(line);
      bool capital = false;
      for (char32_t c : cps) {
        if (scrub::IsLetter(c)) {
          capital = scrub::IsUpper(c);
          break;
        }
      }
      (capital ? lex->proper : lex->words).Add(scrub::LowerUtf8(cps));
    }
    lex->words.Seal();
    lex->proper.Seal();
    if (lex->words.size() < 1000) return Status::Runtime(dictionary + ": holds too few words to be the Dutch word list");
  }
  const std::string s = dir + "/scrub/";
  struct {
    const char* file;
    scrub::WordList* list;
  } lists[] = {
      {"voornamen.txt", &lex->first_names}, {"achternamen.txt", &lex->surnames},
      {"titels.txt", &lex->titles},         {"relaties.txt", &lex->relations},
      {"straatwoorden.txt", &lex->street_words},
      {"naam-en-woord.txt", &lex->name_and_word}, {"organisaties.txt", &lex->organisations},
  };
  for (auto& l : lists) {
    if (Status st = ReadList(s + l.file, l.list); !st.ok()) return st;
  }
  if (Status st = ReadList(s + "tussenvoegsels.txt", &lex->particles, &lex->longest_particle); !st.ok()) return st;
  // Places: the municipalities of the reference data and the towns of
  // plaatsen.txt, so that "in Hoensbroek" is not taken for a name.
  auto content = ReadFile(dir + "/municipalities.csv");
  if (!content.ok()) return content.status();
  auto table = ParseCsv(*content, dir + "/municipalities.csv");
  if (!table.ok()) return table.status();
  auto name = std::find(table->header.begin(), table->header.end(), "name");
  if (name == table->header.end()) return Status::Usage(dir + "/municipalities.csv: no column 'name'");
  const size_t column = name - table->header.begin();
  for (const auto& row : table->rows) {
    if (column < row.fields.size()) lex->places.Add(scrub::LowerUtf8(scrub::DecodeUtf8(row.fields[column])));
  }
  Status places = scrub::ForEachEntry(s + "plaatsen.txt", [&](std::string entry) { lex->places.Add(entry); });
  if (!places.ok()) return places;
  lex->places.Seal();
  // Street suffixes are tried longest first: "kampstraat" before "straat".
  Status suffixes = scrub::ForEachEntry(s + "straattypen.txt",
                                        [&](std::string entry) { lex->suffixes.push_back(std::move(entry)); });
  if (!suffixes.ok()) return suffixes;
  std::stable_sort(lex->suffixes.begin(), lex->suffixes.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return lex;
}

}  // namespace signaal
