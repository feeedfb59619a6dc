"""Natural queries people type, and the one-thing each should find first.

Over the demo's three things and ``unseen_catalog.yaml`` (新生儿出生, 我要开诊所,
我要开便利店, with keywords the project's code has never seen). ``HARD`` queries
use words no catalog text holds (生二胎 → 新生儿出生): they count against the
9-in-10 rule but are not expected to succeed one by one.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
UNSEEN = HERE / "unseen_catalog.yaml"

EXPECTED: dict[str, str] = {
    # 新生儿出生 (a person's thing)
    "孩子出生了要办什么": "XSECS",
    "生了小孩": "XSECS",
    "生孩子": "XSECS",
    "宝宝出生": "XSECS",
    "我家宝宝刚出生": "XSECS",
    "刚生完孩子要办哪些手续": "XSECS",
    "新生宝宝": "XSECS",
    "报户口": "XSECS",
    "给孩子上户口": "XSECS",
    "孩子落户": "XSECS",
    "办出生证明": "XSECS",
    "小孩出生证明": "XSECS",
    "新生儿医保": "XSECS",
    # 我要开诊所
    "开个诊所": "KZS",
    "开个小诊所": "KZS",
    "开个牙科诊所": "KZS",
    "想开一家中医诊所": "KZS",
    "开个私人诊所": "KZS",
    "开门诊部": "KZS",
    "开口腔门诊": "KZS",
    # 我要开便利店
    "想开一家便利店": "KBLD",
    "怎么开便利店": "KBLD",
    "开小超市": "KBLD",
    "开超市": "KBLD",
    "开个小卖部": "KBLD",
    "开烟酒店": "KBLD",
    # the demo's three
    "我要开个小饭店": "KFG",
    "开个小饭馆": "KFG",
    "开家小吃店": "KFG",
    "想开一家餐馆": "KFG",
    "开餐厅": "KFG",
    "开民宿": "KJD",
    "开民宿需要什么": "KJD",
    "我要开一家宾馆": "KJD",
    "我想开个旅馆": "KJD",
    "开招待所": "KJD",
    "卖药": "KYD",
    "开药房": "KYD",
    "我想开药店": "KYD",
    "开连锁药店": "KYD",
    "医保定点药店": "KYD",
}

#: Words no text of the catalogs holds: honest misses the ratio must absorb.
HARD: dict[str, str] = {
    "生二胎": "XSECS",
    "开个牙医": "KZS",
    "开旅店": "KJD",
}

#: Queries whose result is exactly one thing (nothing else shares their words).
ONLY: dict[str, list[str]] = {
    "孩子出生了要办什么": ["XSECS"],
    "想开一家便利店": ["KBLD"],
    "开个诊所": ["KZS"],
    "我要开个小饭店": ["KFG"],
    "开民宿": ["KJD"],
    "卖药": ["KYD"],
    "航天飞机": [],
}


def first_right(first: dict[str, str | None]) -> float:
    """The share of all queries (easy and hard) whose first result is the expected thing."""
    every = {**EXPECTED, **HARD}
    return sum(first.get(query) == code for query, code in every.items()) / len(every)
