"""torch.nn: Module, Parameter, the layers, and (as ``ember.nn.functional``) their functional forms."""
from .parameter import Parameter, Buffer  # noqa: F401
from .module import Module  # noqa: F401
from . import init  # noqa: F401
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict, Container  # noqa: F401
from .linear import Identity, Linear, Bilinear  # noqa: F401
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d  # noqa: F401
from .fold import Fold, Unfold  # noqa: F401
from .pooling import (MaxPool1d, MaxPool2d, MaxUnpool1d, MaxUnpool2d, AvgPool1d, AvgPool2d,  # noqa: F401
                      AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, LPPool1d, LPPool2d,
                      MaxPool3d, MaxUnpool3d, AvgPool3d, AdaptiveAvgPool3d, AdaptiveMaxPool3d, LPPool3d,
                      FractionalMaxPool2d, FractionalMaxPool3d)
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d,  # noqa: F401
                            InstanceNorm3d, LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm, CrossMapLRN2d)
from .dropout import (Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout,  # noqa: F401
                      FeatureAlphaDropout)
from .sparse import Embedding, EmbeddingBag  # noqa: F401
from .activation import (Threshold, ReLU, RReLU, Hardtanh, ReLU6, Sigmoid, Hardsigmoid, Tanh, SiLU,  # noqa: F401
                         Mish, Hardswish, ELU, CELU, SELU, GLU, GELU, Hardshrink, LeakyReLU, LogSigmoid, Softplus,
                         Softshrink, PReLU, Softsign, Tanhshrink, Softmin, Softmax, Softmax2d, LogSoftmax)
from .flatten import Flatten, Unflatten  # noqa: F401
from .padding import (ConstantPad1d, ConstantPad2d, ConstantPad3d, ZeroPad1d, ZeroPad2d,  # noqa: F401
                      ZeroPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d, ReplicationPad1d,
                      ReplicationPad2d, ReplicationPad3d, CircularPad1d, CircularPad2d, CircularPad3d)
from .vision import (Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle,  # noqa: F401
                     PixelUnshuffle, ChannelShuffle)
from .distance import PairwiseDistance, CosineSimilarity  # noqa: F401
from .loss import (MSELoss, L1Loss, SmoothL1Loss, HuberLoss, GaussianNLLLoss, PoissonNLLLoss, BCELoss,
                   BCEWithLogitsLoss, SoftMarginLoss, MultiLabelSoftMarginLoss, KLDivLoss, MarginRankingLoss,
                   HingeEmbeddingLoss, CosineEmbeddingLoss, TripletMarginLoss, TripletMarginWithDistanceLoss,
                   MultiLabelMarginLoss, MultiMarginLoss, NLLLoss, CrossEntropyLoss, CTCLoss, NLLLoss2d,
                   LinearCrossEntropyLoss, LinearCrossEntropyOptions)  # noqa: F401
from .rnn import (RNNBase, RNN, GRU, LSTM, RNNCellBase, RNNCell, LSTMCell, GRUCell)  # noqa: F401
from .transformer import (TransformerEncoderLayer, TransformerDecoderLayer, TransformerEncoder, TransformerDecoder,
                          Transformer)  # noqa: F401
from .attention import (NonDynamicallyQuantizableLinear, MultiheadAttention)  # noqa: F401
from . import functional  # noqa: F401
from . import utils  # noqa: F401
from .sync_batchnorm import SyncBatchNorm  # noqa: F401
from .lazy import (UninitializedParameter, UninitializedBuffer, LazyLinear, LazyConv1d, LazyConv2d,  # noqa: F401
                   LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d, LazyBatchNorm1d,
                   LazyBatchNorm2d, LazyBatchNorm3d, LazyInstanceNorm1d, LazyInstanceNorm2d, LazyInstanceNorm3d)
from .adaptive import AdaptiveLogSoftmaxWithLoss  # noqa: F401
from . import grad  # noqa: F401
from . import parallel  # noqa: F401
from .parallel import DataParallel  # noqa: F401
from . import modules, common_types  # noqa: F401


def factory_kwargs(kwargs):
    """The device/dtype/memory_format keyword arguments of `kwargs` (and of its 'factory_kwargs')."""
    if kwargs is None:
        return {}
    simple = {"device", "dtype", "memory_format"}
    if not kwargs.keys() <= simple | {"factory_kwargs"}:
        raise TypeError(f"unexpected kwargs {kwargs.keys() - (simple | {'factory_kwargs'})}")
    r = dict(kwargs.get("factory_kwargs", {}))
    for k in simple:
        if k in kwargs:
            if k in r:
                raise TypeError(f"{k} specified twice, in **kwargs and in factory_kwargs")
            r[k] = kwargs[k]
    return r

