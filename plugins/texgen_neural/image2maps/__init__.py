"""image2maps: a learned refinement of the classical photo → height / normal estimate.

A small U-Net (``model.py``) reads a color photo together with what the classical
``filters.image_to_material`` makes of it (height and normal) and predicts a residual
correction of the normal and the height, plus a roughness; it is trained pix2pix-style (L1
+ LSGAN patch discriminator, ``train.py``) on pairs that texgen renders from its own presets
(``data.py``). ``predict.py`` runs a model on any image and holds the
``neural.image_to_material`` node. docs/maps.md documents the model and its figures.

Plain Python here and in ``config.py``; the other modules import torch.
"""
