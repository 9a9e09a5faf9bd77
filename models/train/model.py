"""Small BERT-style encoder with a token-classification head.

Written out by hand (not nn.TransformerEncoder) so the ONNX export is a plain
graph of MatMul/Add/Softmax that onnxruntime-node runs and our int8 rewrite can
find: every dense weight is a MatMul against an initializer.
"""
import math
import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, ffn: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.out = nn.Linear(hidden, hidden)
        self.ln1 = nn.LayerNorm(hidden, eps=1e-12)
        self.ff1 = nn.Linear(hidden, ffn)
        self.ff2 = nn.Linear(ffn, hidden)
        self.ln2 = nn.LayerNorm(hidden, eps=1e-12)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, bias):
        b, s, h = x.shape
        d = h // self.heads
        q, k, v = self.qkv(x).view(b, s, 3, self.heads, d).permute(2, 0, 3, 1, 4)
        att = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(d)) + bias
        att = self.drop(torch.softmax(att, dim=-1))
        ctx = torch.matmul(att, v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.drop(self.out(ctx)))
        return self.ln2(x + self.drop(self.ff2(nn.functional.gelu(self.ff1(x)))))


class PhiNer(nn.Module):
    def __init__(self, vocab: int, labels: int, hidden=128, layers=2, heads=4, ffn=512,
                 max_len=256, dropout=0.1, shapes=0, lexicon=0):
        super().__init__()
        self.tok = nn.Embedding(vocab, hidden)
        # case-shape embedding (phi_text.SHAPES); 0 = a model without it (format phi-ner/1)
        self.shape = nn.Embedding(shapes, hidden) if shapes else None
        # word-list class embedding (phi-ner/3): read from the same input, id = shape + shapes * class
        self.nshapes = shapes
        self.lex = nn.Embedding(lexicon, hidden) if lexicon else None
        self.pos = nn.Embedding(max_len, hidden)
        self.ln = nn.LayerNorm(hidden, eps=1e-12)
        self.drop = nn.Dropout(dropout)
        self.layers = nn.ModuleList([Layer(hidden, heads, ffn, dropout) for _ in range(layers)])
        self.head = nn.Linear(hidden, labels)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(self, input_ids, attention_mask, shape_ids=None):
        s = input_ids.shape[1]
        pos = torch.arange(s, device=input_ids.device).unsqueeze(0)
        x = self.tok(input_ids) + self.pos(pos)
        if self.lex is not None:
            lex_ids = torch.div(shape_ids, self.nshapes, rounding_mode="floor")
            x = x + self.shape(shape_ids - lex_ids * self.nshapes) + self.lex(lex_ids)
        elif self.shape is not None:
            x = x + self.shape(shape_ids)
        x = self.drop(self.ln(x))
        bias = (1.0 - attention_mask.to(x.dtype))[:, None, None, :] * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return self.head(x)
