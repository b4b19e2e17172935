"""Chinese names that look like a real class list: common surnames weighted by frequency."""

import random

# The most common surnames, weighted roughly by their share of the population.
SURNAMES = [
    ("王", 72), ("李", 71), ("张", 68), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 24), ("赵", 20),
    ("吴", 19), ("周", 19), ("徐", 15), ("孙", 15), ("马", 14), ("朱", 13), ("胡", 12), ("郭", 11),
    ("何", 11), ("林", 10), ("高", 10), ("罗", 10), ("郑", 9), ("梁", 9), ("谢", 7), ("宋", 7),
    ("唐", 6), ("许", 6), ("韩", 6), ("冯", 6), ("邓", 6), ("曹", 5), ("彭", 5), ("曾", 5),
    ("肖", 5), ("田", 5), ("董", 4), ("袁", 4), ("潘", 4), ("于", 4), ("蒋", 4), ("蔡", 4),
    ("余", 4), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 3), ("魏", 3), ("吕", 3), ("丁", 3),
    ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3),
    ("陆", 3), ("汪", 2), ("范", 2), ("金", 2), ("石", 2), ("廖", 2), ("贾", 2), ("夏", 2),
    ("欧阳", 1), ("上官", 1), ("司马", 1),
]
BOY_CHARS = "浩宇轩子涵博文俊杰睿哲晨阳泽宸铭锦天昊嘉一明思远皓然辰逸航毅诚翰霖恺乐安书言"
GIRL_CHARS = "欣怡梓涵诗雨萱佳琪语彤可馨若汐紫婷雅静梦瑶心悦思彤晴美琳沐颖子乐嘉安书月"
ADULT_MALE_CHARS = "建国伟军强勇磊涛斌鹏飞波明辉刚平华东峰杰志永海"
ADULT_FEMALE_CHARS = "丽芳娟敏静燕艳霞红玲梅莉萍婷娜雪琴兰慧颖洁"
ELDER_MALE_CHARS = "德福建国志刚振华保国庆文长顺永福"
ELDER_FEMALE_CHARS = "秀英桂兰玉珍秀兰凤英淑珍桂芳丽华"

_surnames, _weights = zip(*SURNAMES)


def surname(rng: random.Random) -> str:
    return rng.choices(_surnames, weights=_weights, k=1)[0]


def given_name(rng: random.Random, chars: str, two_chars_share: float = 0.7) -> str:
    length = 2 if rng.random() < two_chars_share else 1
    return "".join(rng.choice(chars) for _ in range(length))


def child_name(rng: random.Random, family: str, gender: str) -> str:
    return family + given_name(rng, BOY_CHARS if gender == "male" else GIRL_CHARS)


def adult_name(rng: random.Random, family: str, male: bool, elder: bool = False) -> str:
    if elder:
        return family + given_name(rng, ELDER_MALE_CHARS if male else ELDER_FEMALE_CHARS, 0.5)
    return family + given_name(rng, ADULT_MALE_CHARS if male else ADULT_FEMALE_CHARS, 0.5)


MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "157", "158", "159", "166", "173", "177", "180", "181", "182", "183", "185", "186", "187",
                   "188", "189", "191", "199"]


def mobile(rng: random.Random, taken: set[str]) -> str:
    while True:
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if phone not in taken:
            taken.add(phone)
            return phone
