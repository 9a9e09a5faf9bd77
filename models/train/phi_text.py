"""Text side of the PHI NER model, shared by vocabulary training, data preparation and evaluation.

- `words(text)`: the word pre-split the runtime uses (JS /[\\p{L}\\p{N}\\p{M}]+|[^\\p{L}\\p{N}\\p{M}\\s]/gu).
- `normalize(word)`: a faithful copy of @xenova/transformers 2.17 BertNormalizer
  (clean_text, CJK spacing, lowercase, NFD + drop U+0300..U+036F), so ids match the runtime
  (which spells the same steps out for @huggingface/tokenizers: session.ts `trainingNormalizer`).
- `WordPiece`: greedy longest-match-first with "##" continuation, whole word -> [UNK] when a piece is missing.
- `train_wordpiece`: BPE-style merge learning written out as a WordPiece vocabulary (what HF's
  WordPieceTrainer does internally).
"""
import collections
import json
import re
import unicodedata

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, UNK, CLS, SEP = 0, 1, 2, 3

# [^\W_] = letters, digits (and most combining marks via \w in Python's re); a single other
# non-space char is its own word. Checked against the JS regex in README-contract.md.
_WORD = re.compile(r"[^\W_]+|[^\w\s]|_", re.UNICODE)
_MARK_FIX = re.compile(r"[\u0300-\u036f]")


def _is_word_char(c: str) -> bool:
    cat = unicodedata.category(c)
    return cat[0] in "LNM"


def words(text: str):
    """(start, end) of each word, exactly like the runtime's JS regex (Unicode categories L, N, M)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if _is_word_char(c):
            j = i + 1
            while j < n and _is_word_char(text[j]):
                j += 1
            out.append((i, j))
            i = j
        elif _js_space(c):
            i += 1
        else:
            out.append((i, i + 1))
            i += 1
    return out


# Case shape of a word, fed to the model beside its piece ids: the vocabulary is lowercased (so
# ALL-CAPS notes look like the rest), which throws away the strongest cue for names in mixed-case
# text. One id per word, repeated on all its pieces; 0 is [CLS]/[SEP]/padding. The runtime
# (src/detect/ner/shape.ts) computes the same classes; upper/lower are "changes under
# lower()/upper()" in both languages.
SHAPES = ["special", "lower", "capitalized", "upper", "single-upper", "number", "mixed", "symbol"]


# Word classes from the runtime's word lists (phi-ner/3): lexicon.ts writes {word: class} for
# every word of the training files with src/detect/dictionaries/wordClass.ts, so both sides agree.
# The model reads shape + len(SHAPES) * class through its one `shape_ids` input.
LEXICON = None


def set_lexicon(path):
    """Load lexicon.ts output; afterwards word_feature() adds the word's class."""
    global LEXICON
    d = json.load(open(path, encoding="utf-8"))
    LEXICON = (d["classes"], d["words"])
    return d["classes"]


def word_feature(w: str) -> int:
    """The per-word input id: the case shape, plus len(SHAPES) x the word-list class when loaded."""
    if LEXICON is None:
        return word_shape(w)
    return word_shape(w) + len(SHAPES) * LEXICON[1][w]


def word_shape(w: str) -> int:
    if not _is_word_char(w[0]):
        return 7
    has_letter = any(unicodedata.category(c)[0] == "L" for c in w)
    if not has_letter:
        return 5
    if any(unicodedata.category(c)[0] not in "LM" for c in w):
        return 6
    upper = sum(1 for c in w if c.lower() != c)
    lower = sum(1 for c in w if c.upper() != c)
    if lower == 0 and upper >= 2:
        return 3
    if lower == 0 and upper == 1:
        return 4
    if w[0].lower() != w[0]:
        return 2
    return 1


_JS_SPACES = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {chr(c) for c in range(0x2000, 0x200B)}


def _js_space(c: str) -> bool:
    return c in _JS_SPACES


def _is_control(c: str) -> bool:
    if c in "\t\n\r":
        return False
    return unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs")


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def normalize(text: str) -> str:
    out = []
    for c in text:
        cp = ord(c)
        if cp == 0 or cp == 0xFFFD or _is_control(c):
            continue
        if _js_space(c):
            out.append(" ")
        elif _is_cjk(cp):
            out.append(" " + c + " ")
        else:
            out.append(c)
    s = "".join(out).lower()
    return _MARK_FIX.sub("", unicodedata.normalize("NFD", s))


_PUNCT_ASCII = set(chr(c) for c in list(range(0x21, 0x30)) + list(range(0x3A, 0x41)) + list(range(0x5B, 0x61)) + list(range(0x7B, 0x7F)))


def _is_punct(c: str) -> bool:
    return c in _PUNCT_ASCII or unicodedata.category(c).startswith("P")


def pre_tokenize(text: str):
    """BertPreTokenizer: split on whitespace, each punctuation char alone."""
    out, cur = [], []
    for c in text.strip():
        if _js_space(c):
            if cur:
                out.append("".join(cur)); cur = []
        elif _is_punct(c):
            if cur:
                out.append("".join(cur)); cur = []
            out.append(c)
        else:
            cur.append(c)
    if cur:
        out.append("".join(cur))
    return out


class WordPiece:
    def __init__(self, vocab):
        self.vocab = vocab  # token -> id
        self.cache = {}

    def _piece(self, tok):
        if len(tok) > 100:
            return [UNK]
        ids, start = [], 0
        while start < len(tok):
            end = len(tok)
            found = None
            while start < end:
                sub = tok[start:end]
                if start > 0:
                    sub = "##" + sub
                if sub in self.vocab:
                    found = self.vocab[sub]
                    break
                end -= 1
            if found is None:
                return [UNK]
            ids.append(found)
            start = end
        return ids

    def encode_word(self, word: str):
        """Ids of one pre-split word, no special tokens (what the runtime gets from encode(word))."""
        r = self.cache.get(word)
        if r is None:
            r = [i for t in pre_tokenize(normalize(word)) for i in self._piece(t)]
            if len(self.cache) < 2_000_000:
                self.cache[word] = r
        return r


def train_wordpiece(word_counts: collections.Counter, vocab_size: int, min_char_count: int = 3):
    """Learn merges BPE-style over normalized, pre-tokenized word counts; returns the vocab list."""
    chars = collections.Counter()
    for w, c in word_counts.items():
        for i, ch in enumerate(w):
            chars[ch if i == 0 else "##" + ch] += c
    alphabet = set(t for t, c in chars.items() if c >= min_char_count)
    for c in range(0x21, 0x7F):
        alphabet.add(chr(c)); alphabet.add("##" + chr(c))
    vocab = list(SPECIALS) + sorted(alphabet)
    known = set(vocab)
    # words as symbol lists
    wl = [[ (ch if i == 0 else "##" + ch) for i, ch in enumerate(w)] for w in word_counts]
    wc = list(word_counts.values())
    pairs = collections.Counter()
    where = collections.defaultdict(set)
    for k, syms in enumerate(wl):
        for a, b in zip(syms, syms[1:]):
            pairs[(a, b)] += wc[k]
            where[(a, b)].add(k)
    while len(vocab) < vocab_size and pairs:
        (a, b), cnt = pairs.most_common(1)[0]
        if cnt < 2:
            break
        new = a + b[2:]
        if new not in known:
            vocab.append(new); known.add(new)
        for k in list(where[(a, b)]):
            syms = wl[k]
            for x, y in zip(syms, syms[1:]):
                pairs[(x, y)] -= wc[k]
                if pairs[(x, y)] <= 0:
                    del pairs[(x, y)]
                where[(x, y)].discard(k)
            merged, i = [], 0
            while i < len(syms):
                if i + 1 < len(syms) and syms[i] == a and syms[i + 1] == b:
                    merged.append(new); i += 2
                else:
                    merged.append(syms[i]); i += 1
            wl[k] = merged
            for x, y in zip(merged, merged[1:]):
                pairs[(x, y)] += wc[k]
                where[(x, y)].add(k)
        pairs.pop((a, b), None)
        where.pop((a, b), None)
    return vocab


def tokenizer_json(vocab_list, lowercase=True):
    vocab = {t: i for i, t in enumerate(vocab_list)}
    special = [{"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True} for t in SPECIALS]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": special,
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": lowercase},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [CLS], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [SEP], "tokens": ["[SEP]"]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }


def tokenizer_config(max_length, lowercase=True):
    return {
        "tokenizer_class": "BertTokenizer",
        "do_lower_case": lowercase,
        "strip_accents": None,
        "tokenize_chinese_chars": True,
        "model_max_length": max_length,
        "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]",
        "clean_up_tokenization_spaces": True,
    }


def load_vocab(path):
    return json.load(open(path))["model"]["vocab"]
