"""Write word/id cases for check_tokenizer.ts: Python and the runtime tokenizer must agree.

/usr/bin/python3 models/train/check_tokenizer.py > models/train/work/tok-cases.json
npx tsx models/train/check_tokenizer.ts models/phi-ner models/train/work/tok-cases.json
"""
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phi_text import WordPiece, load_vocab, words

here = os.path.dirname(os.path.abspath(__file__))
wp = WordPiece(load_vocab(os.path.join(here, "..", "phi-ner", "tokenizer.json")))
texts = [
    "PT SEEN BY DR SMITH-JONES ON 9/14/2091; CALL 617-555-0199.",
    "Café Müller, naïve résumé — São Paulo   Zoë O'Brien",
    "Ωmega αβγ 東京 test\u200btab\there\u00a0nbsp",
    "s/p CABG x3, EF 35%, K+ 3.6 mEq/L @ 0600 #2 ~ ^ ` | _under_score",
    "ALL CAPS NURSING NOTE: NEURO=A&OX3. PULM:VENTED 700X12",
    "e-mail john.doe@example.org http://www.example.com/path?x=1",
    "ﬁancée ligature and ½ fraction and ² superscript",
]
for p in ["corpora/synthetic/heldout.jsonl"]:
    path = os.path.join(here, "..", "..", p)
    if os.path.exists(path):
        texts += [json.loads(l)["text"] for l in list(open(path))[:40]]
cases = []
for i, t in enumerate(texts):
    ws = [t[a:b] for a, b in words(t)]
    cases.append({"i": i, "text": t, "words": ws, "ids": [wp.encode_word(w) for w in ws]})
print(json.dumps(cases, ensure_ascii=False))
