"""Text features for Chinese appeals: jieba words, character n-grams and domain lexicons.

Everything here is plain Python, NumPy and scikit-learn (no Django), so the batch command
and the benchmark can use it without a database.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

DATA_DIR = Path(__file__).resolve().parent / "data"
# Boilerplate an operator puts before the resident's words; it says nothing about the problem.
_PREAMBLE_RE = re.compile(r"^(?:来电人|来电|市民|居民|群众|网友|业主)?(?:反映|来电称|称|诉求|留言|表示)[:：，,]?")
_DIGIT_RE = re.compile(r"[0-9]+")
_SPACE_RE = re.compile(r"\s+")

_tokenizer_lock = threading.Lock()
_tokenizer = None


def normalise(text: str) -> str:
    """Half-width, lower case, digits collapsed to 0, no operator preamble."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _SPACE_RE.sub("", text)
    text = _PREAMBLE_RE.sub("", text)
    return _DIGIT_RE.sub("0", text)


def _get_tokenizer():
    """One jieba tokenizer per process with the domain words added (built on first use)."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(60)  # jieba prints its cache chatter to stderr otherwise
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                tokenizer.load_userdict(str(DATA_DIR / "userdict.txt"))
                _tokenizer = tokenizer
    return _tokenizer


def warm_up() -> None:
    """Load the word dictionary now rather than on the first appeal."""
    _get_tokenizer()


_PUNCTUATION = set("，。！？、；：“”‘’（）《》【】…—·,.!?;:\"'()[]<>~-_ 0")


def words(text: str) -> list[str]:
    """jieba words of a normalised text, without punctuation. Module level so that a pickled
    vectorizer refers to it by name."""
    return [word for word in _get_tokenizer().lcut(text, HMM=False) if word not in _PUNCTUATION]


def read_lexicon(path: Path) -> dict[str, list[str]]:
    """`code word word …` lines (or one word a line for a single list under the key "")."""
    lexicon: dict[str, list[str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) == 1:
            lexicon.setdefault("", []).append(normalise(parts[0]))
        else:
            lexicon.setdefault(parts[0], []).extend(normalise(word) for word in parts[1:])
    return lexicon


class LexiconCounter:
    """Counts each list's words in a text: one column per list. Substring search, so it needs
    no segmentation and cannot be fooled by jieba splitting a word."""

    def __init__(self, lexicon: dict[str, list[str]]):
        self.keys = sorted(lexicon)
        self.lexicon = lexicon
        self._patterns = [
            re.compile("|".join(re.escape(word) for word in sorted(set(lexicon[key]), key=len, reverse=True)))
            for key in self.keys
        ]

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        counts = np.zeros((len(texts), len(self.keys)), dtype=np.float64)
        for row, text in enumerate(texts):
            for column, pattern in enumerate(self._patterns):
                hits = len(pattern.findall(text))
                if hits:
                    counts[row, column] = hits
        return sparse.csr_matrix(np.log1p(counts))

    def matches(self, text: str, key: str) -> list[str]:
        return sorted(set(self._patterns[self.keys.index(key)].findall(text)))


class Featurizer:
    """TF-IDF over jieba words (1-2 grams) and characters (1-3 grams), plus lexicon counts."""

    def __init__(self, *, lexicon: dict[str, list[str]], danger: list[str], lexicon_weight: float = 0.25):
        self.words = TfidfVectorizer(analyzer=words, sublinear_tf=True, min_df=1, lowercase=False, dtype=np.float32)
        self.chars = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, lowercase=False, dtype=np.float32
        )
        self.lexicon = LexiconCounter(lexicon)
        self.danger = LexiconCounter({"danger": danger})
        self.lexicon_weight = lexicon_weight
        self.names: list[str] = []

    def fit_transform(self, texts: list[str]) -> sparse.csr_matrix:
        texts = [normalise(text) for text in texts]
        blocks = [self.words.fit_transform(texts), self.chars.fit_transform(texts)]
        self.names = (
            [f"w:{name}" for name in self.words.get_feature_names_out()]
            + [f"c:{name}" for name in self.chars.get_feature_names_out()]
            + [f"lex:{key}" for key in self.lexicon.keys]
            + ["danger"]
        )
        return self._stack(texts, blocks)

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        return self.transform_with_chars(texts)[0]

    def transform_with_chars(self, texts: list[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """The feature matrix and, on its own, its character n-gram block (whose rows are
        L2-normalised, for the duplicate search's text similarity)."""
        texts = [normalise(text) for text in texts]
        chars = self.chars.transform(texts)
        return self._stack(texts, [self.words.transform(texts), chars]), chars.tocsr()

    def _stack(self, texts: list[str], blocks: list) -> sparse.csr_matrix:
        lexicon = self.lexicon.transform(texts) * self.lexicon_weight
        danger = self.danger.transform(texts)
        return sparse.hstack([*blocks, lexicon, danger], format="csr", dtype=np.float32)
