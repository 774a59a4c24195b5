"""The course's glossary, English ↔ 中文, kept in this one place.

``TERMS`` holds one row per term of the four chapters: ``(english, chinese,
chapter)``, the chapter being the one that teaches the term (a later chapter's
term may be named earlier, as a preview). Each chapter's glossary cell shows
its own rows, ``markdown_table(chapter)``; the README holds the full table, and
a test checks that they agree. To add a term, add a row here and paste the
new table into the README.
"""

__all__ = ["TERMS", "markdown_table", "terms"]

TERMS = (
    # Chapter 1: overview
    ("supervised learning", "监督学习", 1),
    ("data set", "数据集", 1),
    ("label", "标签", 1),
    ("inference", "推理", 1),
    ("rule-based system", "基于规则的系统", 1),
    ("classic machine learning", "传统机器学习", 1),
    ("feature", "特征", 1),
    ("hand-designed features", "人工设计的特征", 1),
    ("learner", "学习器", 1),
    ("representation learning", "表示学习", 1),
    ("deep learning", "深度学习", 1),
    ("end to end", "端到端", 1),
    ("curse of dimensionality", "维度诅咒", 1),
    ("dimension reduction", "降维", 1),
    ("principal component analysis (PCA)", "主成分分析", 1),
    ("unstructured data", "非结构化数据", 1),
    ("perceptron", "感知机", 1),
    ("neural network (artificial neural network, ANN)", "神经网络（人工神经网络）", 1),
    ("computational graph", "计算图", 1),
    ("partial derivative", "偏导数", 1),
    ("local derivative", "局部导数", 1),
    ("chain rule", "链式法则", 1),
    ("back-propagation", "反向传播", 1),
    ("convolutional neural network", "卷积神经网络", 1),
    ("framework", "框架", 1),
    ("static graph", "静态图", 1),
    ("dynamic graph", "动态图", 1),
    # Chapter 2: linear model
    ("training set", "训练集", 2),
    ("dev set (validation set)", "开发集（验证集）", 2),
    ("test set", "测试集", 2),
    ("polynomial", "多项式", 2),
    ("least squares", "最小二乘法", 2),
    ("overfitting", "过拟合", 2),
    ("underfitting", "欠拟合", 2),
    ("generalisation", "泛化", 2),
    ("model", "模型", 2),
    ("training", "训练", 2),
    ("linear model", "线性模型", 2),
    ("weight", "权重", 2),
    ("bias", "偏置", 2),
    ("forward pass", "前向传播", 2),
    ("loss", "损失", 2),
    ("cost", "代价", 2),
    ("mean squared error (MSE)", "均方误差", 2),
    ("exhaustive search", "穷举法", 2),
    ("cost surface", "代价曲面", 2),
    ("vectorisation", "向量化", 2),
    ("broadcasting", "广播", 2),
    # Chapter 3: gradient descent
    ("gradient", "梯度", 3),
    ("gradient descent", "梯度下降", 3),
    ("learning rate", "学习率", 3),
    ("epoch", "轮次", 3),
    ("greedy algorithm", "贪心算法", 3),
    ("local optimum", "局部最优", 3),
    ("global optimum", "全局最优", 3),
    ("saddle point", "鞍点", 3),
    ("convergence", "收敛", 3),
    ("divergence", "发散", 3),
    ("stochastic gradient descent (SGD)", "随机梯度下降", 3),
    ("mini-batch", "小批量", 3),
    ("exponentially weighted average", "指数加权平均", 3),
    # Chapter 4: back-propagation
    ("non-linear function", "非线性函数", 4),
    ("activation function", "激活函数", 4),
    ("local gradient", "局部梯度", 4),
    ("tensor", "张量", 4),
    ("automatic differentiation", "自动微分", 4),
    ("quadratic model", "二次模型", 4),
)


def terms(chapter=None):
    """The glossary's ``(english, chinese, chapter)`` rows, all or those of one chapter.

    Introduced in chapter 1.
    """
    return tuple(row for row in TERMS if chapter is None or row[2] == chapter)


def markdown_table(chapter=None):
    """The glossary as a markdown table: English, 中文, the chapter that teaches the term.

    Returns the table's text, one line per row, without a trailing newline.
    Introduced in chapter 1; the README shows the same table.
    """
    lines = ["| English | 中文 | chapter |", "|---|---|---|"]
    lines += [f"| {english} | {chinese} | {number} |"
              for english, chinese, number in terms(chapter)]
    return "\n".join(lines)
