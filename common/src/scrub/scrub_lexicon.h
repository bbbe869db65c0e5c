// The scrubber's word lists: the Dutch word list (wdutch) split into
// ordinary words and proper nouns, and the lists in data/scrub/ (first
// names, surnames, particles, titles, relation words, street parts).
// Internal to the scrubber.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "signaal/status.h"

namespace signaal::scrub {

// A set of lower-case words packed in one buffer: the Dutch word list has
// 400,000 entries, and a node should spend neither a hash set's 30 MB on
// them nor a string per word while loading.
class WordList {
 public:
  // Collects; Seal() sorts, removes doubles and packs.
  void Add(std::string_view word);
  void Seal();
  bool Has(std::string_view word) const;
  size_t size() const { return index_.size(); }

 private:
  std::string_view At(size_t i) const { return std::string_view(buffer_).substr(index_[i].first, index_[i].second); }
  std::string buffer_;
  std::vector<std::pair<uint32_t, uint32_t>> index_;  // (offset, length) into buffer_
};

}  // namespace signaal::scrub

namespace signaal {

struct ScrubLexicon {
  scrub::WordList words;         // wdutch's lower-case entries: ordinary words
  scrub::WordList proper;        // wdutch's capitalised entries, lower-cased: places, names, brands
  scrub::WordList first_names;   // voornamen.txt
  scrub::WordList surnames;      // achternamen.txt
  scrub::WordList particles;     // tussenvoegsels.txt, multi-word ones with single spaces
  scrub::WordList titles;        // titels.txt
  scrub::WordList relations;     // relaties.txt
  scrub::WordList street_words;  // straatwoorden.txt
  scrub::WordList places;        // municipalities.csv names, plaatsen.txt
  scrub::WordList name_and_word; // naam-en-woord.txt: names that are everyday words (Roos, Bakker)
  scrub::WordList organisations; // organisaties.txt: organisations, laws, brands, languages (one or more words)
  size_t longest_particle = 1;   // in words
  std::vector<std::string> suffixes;  // straattypen.txt, longest first

  // Reads `dir`/scrub/*.txt, `dir`/municipalities.csv and `dictionary`.
  static Result<std::unique_ptr<ScrubLexicon>> Load(const std::string& dir, const std::string& dictionary);
};

}  // namespace signaal
